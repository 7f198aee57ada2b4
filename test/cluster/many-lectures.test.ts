/**
 * Many lectures on one cluster (issue 15): 200 lectures of 10 real socket.io students each over
 * three nodes, each lecture's students on its own set of nodes (one, two or all three) and created
 * on the first of them. PostgreSQL holds exactly one owner lock per lecture, every node names the
 * same owner, and a node follows (is subscribed on Redis to the live channel of) exactly the
 * lectures it has students of. A node whose students all leave stops following their lectures and
 * lets go of those it owned, and each moves to a node that has students of it.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER_LOCK_NAMESPACE, ownerLockKey } from '../../server/cluster/lock-key.js';
import { converged, metric, owner, useCluster, type ClusterNode } from '../support/cluster.js';
import { createLecture, http, LectureClient } from '../support/clients.js';

const LECTURES = 200;
const STUDENTS = 10;

// Every test client is 127.0.0.1: sockets and creations per address raised above what the test opens.
const cluster = useCluster({ nodes: 3, env: { MAX_SOCKETS_PER_ADDRESS: '5000', CREATIONS_PER_HOUR: '100000' } });

let open: LectureClient[] = [];
afterEach(() => {
  for (const c of open) c.close();
  open = [];
});

interface Placed {
  readonly id: string;
  readonly instructorToken: string;
  /** The nodes its students are on. */
  readonly nodes: readonly ClusterNode[];
  /** The node it was created on (its first owner), one of `nodes`. */
  readonly creator: ClusterNode;
  readonly students: LectureClient[];
}

/** Lecture i's students go to the i-th of the seven non-empty sets of nodes (A; B; A, B; C; …), round robin within it; it is created on one of them, in turn. */
function nodesFor(i: number, nodes: readonly ClusterNode[]): ClusterNode[] {
  const set = (i % 7) + 1;
  return nodes.filter((_, n) => set & (1 << n));
}

/** The granted owner locks in the cluster's database, as lecture lock key → how many holders. */
async function ownerLocks(databaseUrl: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ objid: string; holders: number }>(
      `SELECT objid::text, count(*)::int AS holders FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objsubid = 2
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        GROUP BY objid`,
      [OWNER_LOCK_NAMESPACE],
    );
    return new Map(rows.map((r) => [Number(r.objid), r.holders]));
  } finally {
    await client.end();
  }
}

/** How many Redis connections are subscribed (sharded) to each lecture's live channel: one per node that follows it. */
async function followers(redisUrl: string, ids: readonly string[]): Promise<number[]> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await redis.connect();
  try {
    const answer = (await redis.call('PUBSUB', 'SHARDNUMSUB', ...ids.map((id) => `bpl:live:{${id}}`))) as (string | number)[];
    return ids.map((_, i) => Number(answer[2 * i + 1]));
  } finally {
    redis.disconnect();
  }
}

/** Every lecture has one lock holder, and every node names the same owner, one of `allowed(lecture)`. */
async function expectOneOwnerEach(lectures: readonly Placed[], allowed: (l: Placed) => readonly ClusterNode[]): Promise<void> {
  const locks = await ownerLocks(cluster.databaseUrl);
  const wrongLocks = lectures.filter((l) => locks.get(ownerLockKey(l.id)) !== 1).map((l) => `${l.id}: ${locks.get(ownerLockKey(l.id)) ?? 0} holders`);
  expect(wrongLocks, 'lectures without exactly one owner lock').toEqual([]);
  expect(locks.size).toBe(lectures.length); // and no lock of a lecture not asked for
  const named = await Promise.all(lectures.map((l) => Promise.all(cluster.nodes.filter((n) => n.running).map((n) => owner(n.url, l.id).then((o) => o.node)))));
  const disagreeing = lectures.flatMap((l, i) => {
    const names = named[i];
    const ok = names.every((n) => n === names[0]) && allowed(l).some((n) => n.id === names[0]);
    return ok ? [] : [`${l.id}: nodes name ${names.join(', ')}; expected one of ${allowed(l).map((n) => n.id).join(', ')}`];
  });
  expect(disagreeing, 'lectures whose owner the nodes disagree on, or who is not where expected').toEqual([]);
}

describe('200 lectures over three nodes', () => {
  it('have one owner each, named alike by every node, and each node follows exactly the lectures it has students of', async () => {
    const { nodes } = cluster;
    const lectures: Placed[] = [];
    for (let first = 0; first < LECTURES; first += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, async (_, j) => {
          const on = nodesFor(first + j, nodes);
          const creator = on[Math.floor((first + j) / 7) % on.length];
          const { id, instructorToken } = await createLecture(creator.url);
          const students = await Promise.all(Array.from({ length: STUDENTS }, (_, k) => LectureClient.connect(on[k % on.length].url, { lectureId: id })));
          return { id, instructorToken, nodes: on, creator, students };
        }),
      );
      lectures.push(...batch);
      open.push(...batch.flatMap((l) => l.students));
    }
    expect(new Set(lectures.map((l) => l.id)).size).toBe(LECTURES);

    // Followers first: asking a node about a lecture (GET owner) has it follow the lecture for a while.
    expect(await followers(cluster.redisUrl, lectures.map((l) => l.id))).toEqual(lectures.map((l) => l.nodes.length));
    const followedBy = (n: ClusterNode, of: readonly Placed[]) => of.filter((l) => l.nodes.includes(n)).length;
    expect(await Promise.all(nodes.map((n) => metric(n.url, 'backprop_lectures_followed')))).toEqual(nodes.map((n) => followedBy(n, lectures)));
    expect(await Promise.all(nodes.map((n) => metric(n.url, 'backprop_lectures_owned')))).toEqual(nodes.map((n) => lectures.filter((l) => l.creator === n).length));
    await expectOneOwnerEach(lectures, (l) => [l.creator]);

    // C's students all leave: C stops following, and what it owned moves to a node that has students of it.
    const [, , c] = nodes;
    for (const l of lectures) l.students.forEach((s, k) => l.nodes[k % l.nodes.length] === c && s.close());
    const remaining = lectures
      .map((l) => ({ ...l, nodes: l.nodes.filter((n) => n !== c), students: l.students.filter((s) => s.socket.connected) }))
      .filter((l) => l.nodes.length > 0);
    // (A lecture unused for 15 s leaves a node: the GET owner above made every node follow every lecture till then.)
    const expected = lectures.map((l) => l.nodes.filter((n) => n !== c).length);
    const deadline = Date.now() + 45_000;
    let following = await followers(cluster.redisUrl, lectures.map((l) => l.id));
    while (following.join() !== expected.join() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      following = await followers(cluster.redisUrl, lectures.map((l) => l.id));
    }
    expect(following).toEqual(expected);
    expect(await Promise.all(nodes.map((n) => metric(n.url, 'backprop_lectures_followed')))).toEqual(nodes.map((n) => followedBy(n, remaining)));
    expect(await metric(c.url, 'backprop_lectures_owned')).toBe(0);
    // The lectures only C had are owned by nobody now (nobody needs them); the others by a node with students.
    const locks = await ownerLocks(cluster.databaseUrl);
    const onlyOnC = lectures.filter((l) => l.nodes.length === 1 && l.nodes[0] === c);
    expect(onlyOnC.filter((l) => locks.has(ownerLockKey(l.id))).map((l) => l.id)).toEqual([]);
    const deadline2 = Date.now() + 10_000;
    while ((await ownerLocks(cluster.databaseUrl)).size < remaining.length && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 200));
    await expectOneOwnerEach(remaining, (l) => l.nodes);
    // And they still work: a lecture C owned and A and B still have students of takes a command from A.
    const moved = remaining.find((l) => l.creator === c);
    expect(moved).toBeDefined();
    const step = await http(nodes[0].url, 'POST', `/api/lectures/${moved!.id}/commands`, { type: 'step', commandId: 'after-c-left' }, moved!.instructorToken);
    expect(step).toMatchObject({ status: 200, json: { seq: 1 } });
    expect((await converged(nodes.slice(0, 2), moved!.id, moved!.students)).seq).toBe(1);
  });
});
