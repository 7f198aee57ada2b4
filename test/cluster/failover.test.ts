/**
 * One owner per lecture, commands from any node, and failover (issue 15): three real nodes on one
 * PostgreSQL and one Redis; the lecture is created on A (its first owner), the instructor is on B,
 * students are spread over A, B and C. A `kill -9` of the owner moves the lecture to another node
 * within a second, nothing acknowledged is lost, no command is applied twice, and every student
 * (those of the dead node reconnect elsewhere with lastSeq) converges.
 */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { converged, owner, reconnect, studentsOn, untilOwner, useCluster } from '../support/cluster.js';
import { createLecture, http, LectureClient } from '../support/clients.js';
import { LINE_SEPARATORS, PROTOTYPE_NAMES } from '../support/hostile.js';

const cluster = useCluster({ nodes: 3, env: { LEASE_TIMEOUT_MS: '2000' } });

/** The lecture's events as PostgreSQL holds them: seqs and command ids. */
async function storedEvents(databaseUrl: string, lectureId: string): Promise<{ seq: number; command_id: string | null }[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<{ seq: number; command_id: string | null }>('SELECT seq, command_id FROM events WHERE lecture_id = $1 ORDER BY seq', [lectureId])).rows;
  } finally {
    await client.end();
  }
}

describe('a lecture on a cluster', () => {
  it('is owned by the node that created it, commanded from another, and every student on every node converges', async () => {
    const [a, b, c] = cluster.nodes;
    const lecture = await createLecture(a.url);
    expect(await owner(c.url, lecture.id)).toMatchObject({ node: 'A' });
    const instructor = await LectureClient.connect(b.url, { lectureId: lecture.id, token: lecture.instructorToken });
    const students = await studentsOn([a, b, c], lecture.id, 30);
    for (let i = 1; i <= 6; i++) expect(await instructor.command({ type: 'step', commandId: `fanout-${i}` })).toEqual({ ok: true, seq: i });
    await converged(cluster.nodes, lecture.id, [...students, instructor]);
    for (const s of students) expect(s.seenSeqs).toEqual([1, 2, 3, 4, 5, 6]);
    // A retry of an applied command from a third node: answered as the first time, applied once.
    const again = await http(c.url, 'POST', `/api/lectures/${lecture.id}/commands`, { type: 'step', commandId: 'fanout-3' }, lecture.instructorToken);
    expect(again.status).toBe(200);
    expect(again.json.seq).toBe(3);
    expect((await storedEvents(cluster.databaseUrl, lecture.id)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const s of [...students, instructor]) s.close();
  });

  it('takes a CSV upload and a stop on a node that does not own the lecture, as the owner would', async () => {
    const [a, b, c] = cluster.nodes;
    const lecture = await createLecture(a.url);
    const instructor = await LectureClient.connect(b.url, { lectureId: lecture.id, token: lecture.instructorToken });
    const students = await studentsOn([a, b, c], lecture.id, 9);
    // The table goes to C, which stores it; A, the owner, reads it from the store and applies the command.
    const rows = ['x1,x2,y', ...Array.from({ length: 40 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},${i % 2}`)].join('\n');
    const upload = await fetch(`${c.url}/api/lectures/${lecture.id}/dataset.csv?name=cluster`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${lecture.instructorToken}` },
      body: rows,
    });
    expect(upload.status).toBe(200);
    expect(await upload.json()).toMatchObject({ ok: true, seq: 1, rows: 40, features: 2 });
    expect(await owner(c.url, lecture.id)).toMatchObject({ node: 'A' });
    const state = await converged(cluster.nodes, lecture.id, [...students, instructor]);
    expect(state.dataset).toMatchObject({ kind: 'csv', name: 'cluster' });
    // A long training on A, stopped from B: the training's ack says it ran and was stopped.
    expect(await instructor.command({ type: 'setNetwork', network: { hidden: [{ units: 16, activation: 'tanh' }, { units: 16, activation: 'tanh' }], biases: true }, seed: 5 })).toMatchObject({ ok: true, seq: 2 });
    const training = instructor.command({ type: 'train', epochs: 100_000, commandId: 'stopped-elsewhere' });
    await instructor.next('progress');
    expect(await instructor.command({ type: 'stop' })).toMatchObject({ ok: true });
    expect(await training).toEqual({ ok: true, seq: 3 });
    const trained = await converged(cluster.nodes, lecture.id, [...students, instructor]);
    expect(trained.epoch).toBeGreaterThan(0);
    expect(trained.epoch).toBeLessThan(100_000);
    for (const s of [...students, instructor]) s.close();
  });

  it('answers hostile lecture codes on the cluster routes and handshake with a refusal, and serves on', async () => {
    const [a, b] = cluster.nodes;
    const lecture = await createLecture(a.url);
    for (const code of [...PROTOTYPE_NAMES, ...LINE_SEPARATORS, `${lecture.id.slice(0, 5)}\u2028`, 'A'.repeat(10_000), '%00', '..']) {
      for (const path of ['owner', 'state']) {
        const res = await http(b.url, 'GET', `/api/lectures/${encodeURIComponent(code)}/${path}`);
        expect([404, 429], `${path} ${JSON.stringify(code.slice(0, 20))}`).toContain(res.status);
      }
    }
    // A wrong code at the handshake costs no subscription, and the node still serves the real lecture.
    expect(await owner(b.url, lecture.id)).toMatchObject({ node: 'A' });
    expect((await http(b.url, 'GET', '/api/ready')).status).toBe(200);
    const student = await LectureClient.connect(b.url, { lectureId: lecture.id });
    expect(student.state?.lectureId).toBe(lecture.id);
    student.close();
  });

  it('moves to another node within a second of a kill -9 of its owner, losing nothing acknowledged', async () => {
    const [a, b, c] = cluster.nodes;
    const lecture = await createLecture(a.url);
    const instructor = await LectureClient.connect(b.url, { lectureId: lecture.id, token: lecture.instructorToken });
    const students = await studentsOn([a, b, c], lecture.id, 30);
    for (let i = 1; i <= 3; i++) expect(await instructor.command({ type: 'step', commandId: `kill-${i}` })).toMatchObject({ ok: true, seq: i });
    expect(await owner(b.url, lecture.id)).toMatchObject({ node: 'A' });

    const killed = Date.now();
    await a.kill9();
    const next = await untilOwner(b.url, lecture.id, (n) => n !== 'A', 3000);
    const movedIn = Date.now() - killed;
    expect(['B', 'C']).toContain(next);
    expect(movedIn).toBeLessThan(1000);

    // The next command is acknowledged within 3 s, and the seq goes on from where it was.
    const sent = Date.now();
    expect(await instructor.command({ type: 'step', commandId: 'kill-4' })).toMatchObject({ ok: true, seq: 4 });
    expect(Date.now() - sent).toBeLessThan(3000);

    // The dead node's students reconnect elsewhere with what they hold.
    const survivors = students.filter((_, i) => i % 3 !== 0);
    const moved = await Promise.all(students.filter((_, i) => i % 3 === 0).map((s, i) => reconnect(s, [b, c][i % 2], lecture.id)));
    await converged([b, c], lecture.id, [...survivors, ...moved, instructor]);
    const events = await storedEvents(cluster.databaseUrl, lecture.id);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(events.map((e) => e.command_id)).toEqual(['kill-1', 'kill-2', 'kill-3', 'kill-4']);
    for (const s of [...survivors, ...moved, instructor]) s.close();
    await a.start();
  });
});
