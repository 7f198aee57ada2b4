/**
 * The class across nodes (issue 15): 1,500 real socket.io students spread over three nodes answer a
 * question asked by the instructor on B of a lecture owned by A. Every answer goes from its
 * student's node to the owner, is stored before it is counted, and is counted once: the
 * instructor's live count and the reveal cover every node, and survive a `kill -9` of the owner
 * (the next owner reads them from PostgreSQL). Presence is the sum over the nodes, and a dead
 * node's students leave it within seconds.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { aggregate } from '../../shared/protocol/answer-stats.js';
import type { PredictionReveal, PredictionUpdate } from '../../shared/protocol/collab.js';
import type { Presence } from '../../shared/protocol/socket.js';
import { converged, owner, studentsOn, untilOwner, useCluster } from '../support/cluster.js';
import { createLecture, LectureClient } from '../support/clients.js';

// Every test client is 127.0.0.1: the default of 200 sockets (and answers) per address per lecture would refuse most.
const cluster = useCluster({ nodes: 3, env: { MAX_SOCKETS_PER_ADDRESS: '5000' } });

let open: LectureClient[] = [];
afterEach(() => {
  for (const c of open) c.close();
  open = [];
});

/** How many answers PostgreSQL holds for the lecture's question asked at `askSeq`. */
async function storedAnswers(databaseUrl: string, lectureId: string, askSeq: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM answers WHERE lecture_id = $1 AND ask_seq = $2', [lectureId, askSeq]);
    return rows[0].n;
  } finally {
    await client.end();
  }
}

/** Resolves once `read()` satisfies `ok`, polled every 20 ms; rejects with the last value after `timeoutMs`. */
async function eventually<T>(read: () => T, ok: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the class across three nodes', () => {
  it("counts 1,500 students' answers from every node once, stored, and the counts survive a kill -9 of the owner", async () => {
    const [a, b, c] = cluster.nodes;
    const lecture = await createLecture(a.url);
    const instructor = await LectureClient.connect(b.url, { lectureId: lecture.id, token: lecture.instructorToken });
    let presence: Presence | undefined;
    let update: PredictionUpdate | undefined;
    instructor.socket.on('presence', (p) => (presence = p));
    instructor.socket.on('prediction:update', (u) => (update = u));
    const students = await studentsOn(cluster.nodes, lecture.id, 1500);
    open = [instructor, ...students];
    expect(await owner(c.url, lecture.id)).toMatchObject({ node: 'A' });

    // Presence: the instructor on B sees the students of A, B and C.
    await eventually(() => presence, (p) => p?.students === 1500 && p.instructors === 1, 10_000, 'the instructor did not see 1,500 students');

    expect(await instructor.command({ type: 'step' })).toMatchObject({ ok: true, seq: 1 });
    expect(await instructor.command({ type: 'ask', tensor: 'C_act', index: [0] })).toEqual({ ok: true, seq: 2 });
    await converged(cluster.nodes, lecture.id, open, 10_000);

    const values = students.map((_, i) => Math.round(((i * 37) % 1000) / 10) / 100);
    const acks = await Promise.all(students.map((s, i) => s.socket.timeout(30_000).emitWithAck('prediction:submit', { value: values[i] })));
    const refused = acks.filter((ack) => !ack.ok);
    expect(refused.slice(0, 3), `${refused.length} answers refused`).toEqual([]);
    expect(await storedAnswers(cluster.databaseUrl, lecture.id, 2)).toBe(1500);
    await eventually(() => update, (u) => u?.count === 1500, 5_000, "the instructor's live count did not reach 1,500");
    expect(update!.histogram).toEqual(aggregate(values).histogram);

    // The owner dies after every answer was acknowledged; the instructor reveals from B.
    await a.kill9();
    const killed = Date.now();
    expect(await untilOwner(b.url, lecture.id, (n) => n !== 'A', 3000)).toMatch(/^[BC]$/);
    const survivors = students.filter((_, i) => i % 3 !== 0);
    const reveal = survivors[1].next<PredictionReveal>('prediction:reveal', () => true, 15_000);
    expect(await instructor.command({ type: 'reveal' })).toEqual({ ok: true, seq: 3 });
    const revealed = await reveal;
    const expected = aggregate(values);
    expect({ count: revealed.count, median: revealed.median, histogram: revealed.histogram }).toEqual({ count: 1500, median: expected.median, histogram: expected.histogram });
    expect(revealed.mean).toBeCloseTo(expected.mean!, 12);
    const state = await converged([b, c], lecture.id, [instructor, ...survivors], 10_000);
    expect(state.prediction).toMatchObject({ status: 'revealed', stats: { count: 1500 } });

    // A's 500 students leave the count within seconds (its share of the presence hash goes stale).
    await eventually(() => presence, (p) => p?.students === 1000, 10_000, "the dead node's students did not leave the count");
    const leftIn = Date.now() - killed;
    expect(leftIn).toBeLessThan(10_000);
    await a.start();
  });
});
