/**
 * Frames to every node (issue 15): a class of 1,500 real socket.io students spread over three nodes,
 * the lecture owned by A (created there), the instructor on B. Every frame reaches every student in
 * order with none missing, through the owner's Redis channel and each node's replica; late joiners
 * on any node get a snapshot and then every frame after it; and a join to a node whose replica is
 * warm costs that node no store operation and the owner no request (counted on /metrics).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandAck } from '../../shared/protocol/socket.js';
import { converged, metric, owner, reconnect, seqRange, studentsOn, useCluster, type ClusterNode } from '../support/cluster.js';
import { createLecture, http, LectureClient } from '../support/clients.js';

// Every test client is 127.0.0.1: the default of 200 sockets per address per lecture would refuse most.
const cluster = useCluster({ nodes: 3, env: { MAX_SOCKETS_PER_ADDRESS: '5000' } });

let open: LectureClient[] = [];
afterEach(() => {
  for (const c of open) c.close();
  open = [];
});

/** Sends a command and expects it applied; returns its seq. */
async function applied(instructor: LectureClient, command: object): Promise<number> {
  const ack: CommandAck = await instructor.command(command);
  expect(ack, JSON.stringify(command)).toMatchObject({ ok: true });
  return (ack as { seq: number }).seq;
}

/** The stage the lecture is at, as the node at `url` says. */
async function stageOn(url: string, lectureId: string): Promise<string> {
  return (await http(url, 'GET', `/api/lectures/${lectureId}/state`)).json.stage;
}

/** Steps one whole pass (input … update), reading the stage from the instructor's node; returns the last seq. */
async function pass(instructor: LectureClient, url: string, lectureId: string): Promise<number> {
  for (let steps = 0; steps < 50; steps++) {
    const seq = await applied(instructor, { type: 'step' });
    if ((await stageOn(url, lectureId)) === 'update') return seq;
  }
  throw new Error('a pass did not reach update within 50 steps');
}

/** Every student saw each frame from `first` to `last` once, in order, applied without error, after one snapshot. */
function expectGapFree(students: readonly LectureClient[], first: number, last: number): void {
  const wrong = students.filter((s) => s.errors.length > 0 || s.snapshots.length !== 1 || s.seenSeqs.join() !== seqRange(first, last).join());
  const sample = wrong.slice(0, 3).map((s) => ({ snapshots: s.snapshots, seen: s.seenSeqs.join(','), errors: s.errors.map((e) => e.message) }));
  expect(sample, `${wrong.length} of ${students.length} students missed, repeated or reordered a frame`).toEqual([]);
}

describe('frames across three nodes', () => {
  it('reach 1,500 students on A, B and C in order and complete through passes, a training, back, reset and a prediction', async () => {
    const [a, b] = cluster.nodes;
    const lecture = await createLecture(a.url);
    const instructor = await LectureClient.connect(b.url, { lectureId: lecture.id, token: lecture.instructorToken });
    const students = await studentsOn(cluster.nodes, lecture.id, 1500);
    open = [instructor, ...students];
    expect(await owner(b.url, lecture.id)).toMatchObject({ node: 'A' });

    for (let i = 0; i < 3; i++) await pass(instructor, b.url, lecture.id);
    await applied(instructor, { type: 'train', epochs: 1000 });
    await applied(instructor, { type: 'back' });
    await applied(instructor, { type: 'reset' });
    await applied(instructor, { type: 'step' });
    await applied(instructor, { type: 'ask', tensor: 'C_act', index: [0] });
    const last = await applied(instructor, { type: 'reveal' });

    const state = await converged(cluster.nodes, lecture.id, open, 20_000);
    expect(state.seq).toBe(last);
    expect(state.prediction).toMatchObject({ tensor: 'C_act', status: 'revealed' });
    expect(state.epoch).toBe(0); // the reset after the training
    expectGapFree(students, 1, last);
    // Nobody left on the way (a dropped socket would have missed frames while away).
    expect(students.filter((s) => !s.socket.connected)).toHaveLength(0);
  });

  it('gives 300 late joiners on random nodes a snapshot and then every frame, while the instructor steps', async () => {
    const [a, b] = cluster.nodes;
    const lecture = await createLecture(a.url);
    const instructor = await LectureClient.connect(b.url, { lectureId: lecture.id, token: lecture.instructorToken });
    const early = await studentsOn(cluster.nodes, lecture.id, 30);
    open = [instructor, ...early];

    // Joins in waves of 30 to random nodes, a step sent while each wave connects.
    const joiners: LectureClient[] = [];
    let stepping = true;
    const steps = (async () => {
      let seq = 0;
      while (stepping) seq = await applied(instructor, { type: seq > 0 && (await stageOn(b.url, lecture.id)) === 'update' ? 'reset' : 'step' });
      return seq;
    })();
    for (let wave = 0; wave < 10; wave++) {
      const nodes = Array.from({ length: 30 }, () => cluster.nodes[Math.floor(Math.random() * 3)]);
      joiners.push(...(await Promise.all(nodes.map((n) => LectureClient.connect(n.url, { lectureId: lecture.id })))));
      open.push(...joiners.slice(-30));
    }
    stepping = false;
    const last = await steps;
    expect(last).toBeGreaterThan(10); // the joins did overlap commands

    await converged(cluster.nodes, lecture.id, open, 10_000);
    const wrong = joiners.filter((s) => s.errors.length > 0 || s.snapshots.length !== 1 || s.seenSeqs.join() !== seqRange(s.snapshots[0] + 1, last).join());
    const sample = wrong.slice(0, 3).map((s) => ({ snapshot: s.snapshots, seen: s.seenSeqs.join(',') }));
    expect(sample, `${wrong.length} of 300 late joiners missed, repeated or reordered a frame after their snapshot`).toEqual([]);
    // They did join at many different points of the lecture.
    expect(new Set(joiners.map((s) => s.snapshots[0])).size).toBeGreaterThan(3);
    expectGapFree(early, 1, last);
  });

  it('serves a wave of joins to warm nodes with no store operation and no request to the owner', async () => {
    const [a, b] = cluster.nodes;
    const lecture = await createLecture(a.url);
    const instructor = await LectureClient.connect(b.url, { lectureId: lecture.id, token: lecture.instructorToken });
    // A student on each node warms its replica; a few frames go through it. Three more leave at seq 2.
    const warm = await studentsOn(cluster.nodes, lecture.id, 3);
    const leaving = await studentsOn(cluster.nodes, lecture.id, 3);
    open = [instructor, ...warm];
    for (let i = 0; i < 2; i++) await applied(instructor, { type: 'step' });
    await converged(cluster.nodes, lecture.id, [...open, ...leaving]);
    for (const s of leaving) s.close();
    for (let i = 0; i < 3; i++) await applied(instructor, { type: 'step' });
    await converged(cluster.nodes, lecture.id, open);

    const counts = (n: ClusterNode) => Promise.all([metric(n.url, 'backprop_store_duration_seconds_count'), metric(n.url, 'backprop_owner_requests_total')]);
    const before = await Promise.all(cluster.nodes.map(counts));
    const wave = await studentsOn(cluster.nodes, lecture.id, 300);
    open.push(...wave);
    // One coming back with what it holds (seq 2), on every node: a catch-up from the replica's recent frames.
    const back = await Promise.all(leaving.map((s, i) => reconnect(s, cluster.nodes[i], lecture.id)));
    open.push(...back);
    await converged(cluster.nodes, lecture.id, open);
    const after = await Promise.all(cluster.nodes.map(counts));
    expect(after).toEqual(before);
    for (const s of back) expect({ snapshots: s.snapshots, frames: s.seenSeqs }).toEqual({ snapshots: [], frames: [3, 4, 5] });
    expect(await Promise.all(cluster.nodes.map((n) => metric(n.url, 'backprop_catch_ups_total', { kind: 'memory' })))).toEqual([1, 1, 1]);
    // The counters do count: the next command is an owner request from B and a write on A.
    await applied(instructor, { type: 'step' });
    const [onA, onB] = await Promise.all([counts(a), counts(b)]);
    expect(onA[0]).toBeGreaterThan(after[0][0]);
    expect(onB[1]).toBeGreaterThan(after[1][1]);
  });
});
