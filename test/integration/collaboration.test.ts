/** Presence, predictions, flags and pacing with real socket.io clients against the real server. */
import { afterEach, describe, expect, it } from 'vitest';
import { aggregate } from '../../shared/protocol/answer-stats.js';
import type { FlagCounts, FlagTarget, PredictionReveal, PredictionUpdate } from '../../shared/protocol/collab.js';
import type { Presence } from '../../shared/protocol/socket.js';
import { startServer, type TestServer } from '../support/server.js';
import { createLecture, http, LectureClient } from '../support/clients.js';

let server: TestServer | undefined;
const open: LectureClient[] = [];
afterEach(async () => {
  while (open.length) open.pop()!.close();
  await server?.close();
  server = undefined;
});

async function connect(url: string, auth: Parameters<typeof LectureClient.connect>[1]) {
  const c = await LectureClient.connect(url, auth);
  open.push(c);
  return c;
}

describe('presence', () => {
  it('counts 20 students joining and leaving; only the instructor sees their names', async () => {
    server = await startServer();
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    const watcher = await connect(server.url, { lectureId: id, name: 'Watcher', clientId: server!.clientId('watcher') });
    const all20 = instructor.next<Presence>('presence', (p) => p.students === 21);
    const students = await Promise.all(
      Array.from({ length: 20 }, (_, i) => connect(server!.url, { lectureId: id, name: `  Student ${String(i).padStart(2, '0')}\u0007 `, clientId: server!.clientId(`s${i}`) })),
    );
    const seenByInstructor = await all20;
    expect(seenByInstructor.instructors).toBe(1);
    expect(seenByInstructor.names).toEqual(['Student 00', ...Array.from({ length: 19 }, (_, i) => `Student ${String(i + 1).padStart(2, '0')}`), 'Watcher'].sort((a, b) => a.localeCompare(b)));
    const fewer = watcher.next<Presence>('presence', (p) => p.students === 11);
    const fewerForInstructor = instructor.next<Presence>('presence', (p) => p.students === 11);
    students.slice(0, 10).forEach((s) => s.close());
    const afterLeaving = await fewer;
    expect(afterLeaving).toEqual({ students: 11, instructors: 1, projectors: 0 });
    expect(afterLeaving).not.toHaveProperty('names');
    expect((await fewerForInstructor).names).toHaveLength(11);
  });

  it('counts a student with two tabs once', async () => {
    server = await startServer();
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    const counted = instructor.next<Presence>('presence', (p) => p.students === 1);
    await connect(server.url, { lectureId: id, clientId: server!.clientId('same-student') });
    await connect(server.url, { lectureId: id, clientId: server!.clientId('same-student') });
    expect((await counted).students).toBe(1);
  });
});

describe('predictions', () => {
  it('aggregates 30 students exactly and reveals when the stage runs; later answers are refused', async () => {
    server = await startServer();
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    const students = await Promise.all(Array.from({ length: 30 }, (_, i) => connect(server!.url, { lectureId: id, clientId: server!.clientId(`p${i}`) })));
    await instructor.command({ type: 'step' }); // input: C_act is not computed yet
    expect(await instructor.command({ type: 'ask', tensor: 'C_act', index: [0] })).toEqual({ ok: true, seq: 2 });
    await students[0].atSeq(2);
    expect(students[0].state!.prediction).toMatchObject({ askSeq: 2, tensor: 'C_act', index: [0], status: 'open', actual: null });

    // Everyone answers; student 0 changes its mind (the latest answer counts).
    const answers = students.map((_, i) => Math.round((0.5 + i / 100) * 1000) / 1000);
    expect(await students[0].socket.emitWithAck('prediction:submit', { value: 0.1 })).toEqual({ ok: true });
    const acks = await Promise.all(students.map((s, i) => s.socket.emitWithAck('prediction:submit', { value: answers[i] })));
    expect(acks.every((a) => a.ok)).toBe(true);
    const update = await instructor.next<PredictionUpdate>('prediction:update', (u) => u.count === 30);
    expect(update.histogram).toEqual(aggregate(answers).histogram);

    // Students do not see the live aggregate, and cannot ask or reveal.
    const leaked: unknown[] = [];
    students[1].socket.on('prediction:update', (u) => leaked.push(u));
    expect(await students[1].command({ type: 'reveal' })).toMatchObject({ ok: false, status: 403 });
    expect(await students[1].command({ type: 'ask', tensor: 'L', index: [0] })).toMatchObject({ ok: false, status: 403 });

    const reveal = students[5].next<PredictionReveal>('prediction:reveal');
    await instructor.command({ type: 'forward' }); // runs B … L, C_act among them
    const revealed = await reveal;
    const state = (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;
    const expected = aggregate(answers);
    expect(revealed).toEqual({ askSeq: 2, tensor: 'C_act', index: [0], actual: state.tensors.C_act.data[0], ...expected });
    expect(expected.count).toBe(30);
    expect(expected.mean).toBeCloseTo(answers.reduce((a, b) => a + b) / 30, 12);
    expect(expected.median).toBe((answers[14] + answers[15]) / 2);
    expect(state.prediction).toMatchObject({ status: 'revealed', actual: revealed.actual, stats: expected });

    expect(await students[3].socket.emitWithAck('prediction:submit', { value: 0.7 })).toEqual({
      ok: false,
      status: 409,
      error: 'the answer has been revealed; answers are closed',
    });
    expect(leaked).toEqual([]);
    // `back` does not undo the question or its reveal; the recording keeps the reveal.
    await instructor.command({ type: 'back' });
    expect((await http(server.url, 'GET', `/api/lectures/${id}/state`)).json.prediction.status).toBe('revealed');
    const recording = (await http(server.url, 'GET', `/api/lectures/${id}/recording`)).json;
    expect(recording.events.map((e: { command: { type: string } }) => e.command.type)).toEqual(['step', 'ask', 'forward', 'back']);
    expect(recording.events[2].frame.prediction.stats).toEqual(expected);
  });

  it('refuses a question on a computed tensor, a second open question, a reveal with none open, and bad answers', async () => {
    server = await startServer();
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    const student = await connect(server.url, { lectureId: id });
    expect(await student.socket.emitWithAck('prediction:submit', { value: 1 })).toMatchObject({ ok: false, status: 409, error: 'no prediction is open' });
    await instructor.command({ type: 'forward' });
    expect(await instructor.command({ type: 'ask', tensor: 'B_act', index: [0] })).toMatchObject({ ok: false, status: 409 });
    expect(await instructor.command({ type: 'ask', tensor: 'dL_dW', index: [3, 0] })).toMatchObject({ ok: false, status: 400 });
    expect(await instructor.command({ type: 'ask', tensor: 'dL_dV', index: [2] })).toMatchObject({ ok: false, status: 400 });
    expect(await instructor.command({ type: 'reveal' })).toMatchObject({ ok: false, status: 409, error: 'no prediction is open' });
    expect(await instructor.command({ type: 'ask', tensor: 'dL_dV', index: [2, 0] })).toEqual({ ok: true, seq: 2 });
    expect(await instructor.command({ type: 'ask', tensor: 'dL_dW', index: [0, 0] })).toMatchObject({ ok: false, status: 409 });
    for (const bad of [{ value: 'x' }, { value: Infinity }, {}, { value: 1, extra: 2 }, null]) {
      const ack = await student.socket.emitWithAck('prediction:submit', bad as never);
      expect(ack).toMatchObject({ ok: false, status: 400 });
    }
    // An early reveal shows the value the stage will compute, without moving the lecture.
    const reveal = student.next<PredictionReveal>('prediction:reveal');
    expect(await instructor.command({ type: 'reveal' })).toEqual({ ok: true, seq: 3 });
    const early = await reveal;
    const state = (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;
    expect(state.stage).toBe('L');
    await instructor.command({ type: 'backward' });
    const after = (await http(server.url, 'GET', `/api/lectures/${id}/state`)).json;
    expect(after.tensors.dL_dV.data[2]).toBe(early.actual);
    expect(early.count).toBe(0);
  });

  it('keeps answers across a server restart', async () => {
    server = await startServer();
    const dataDir = server.dataDir;
    const { id, instructorToken } = await createLecture(server.url);
    let instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    await instructor.command({ type: 'ask', tensor: 'L', index: [0] });
    for (let i = 0; i < 3; i++) {
      const s = await connect(server.url, { lectureId: id, clientId: server!.clientId(`r${i}`) });
      expect(await s.socket.emitWithAck('prediction:submit', { value: i / 10 })).toEqual({ ok: true });
    }
    while (open.length) open.pop()!.close();
    await server.app.close();
    server.store.close();

    server = await startServer({ dataDir });
    instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    const late = await connect(server.url, { lectureId: id, clientId: server!.clientId('r2') });
    expect(await late.socket.emitWithAck('prediction:submit', { value: 0.5 })).toEqual({ ok: true }); // replaces r2's 0.2
    const reveal = late.next<PredictionReveal>('prediction:reveal');
    await instructor.command({ type: 'forward' });
    expect(await reveal).toMatchObject(aggregate([0, 0.1, 0.5]));
  });
});

describe('flags', () => {
  it('counts one flag per student per element, for the instructor only, and resets at a new pass', async () => {
    server = await startServer();
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    const a = await connect(server.url, { lectureId: id, clientId: server!.clientId('a') });
    const b = await connect(server.url, { lectureId: id, clientId: server!.clientId('b') });
    const seenByStudent: unknown[] = [];
    a.socket.on('flags', (f) => seenByStudent.push(f));
    await instructor.command({ type: 'forward' });

    const target: FlagTarget = { type: 'element', tensor: 'B_act', index: [2] };
    for (let i = 0; i < 3; i++) expect(await a.socket.emitWithAck('flag', { target, on: true })).toEqual({ ok: true });
    expect(await b.socket.emitWithAck('flag', { target, on: true })).toEqual({ ok: true });
    expect(await b.socket.emitWithAck('flag', { target: { type: 'stage', stage: 'C_act' }, on: true })).toEqual({ ok: true });
    const counts = await instructor.next<FlagCounts>('flags', (f) => f.counts['B_act[2]'] === 2 && f.counts['stage:C_act'] === 1);
    expect(counts).toEqual({ counts: { 'B_act[2]': 2, 'stage:C_act': 1 } });

    expect(await b.socket.emitWithAck('flag', { target, on: false })).toEqual({ ok: true });
    await instructor.next<FlagCounts>('flags', (f) => f.counts['B_act[2]'] === 1);
    expect(await a.socket.emitWithAck('flag', { target: { type: 'element', tensor: 'B_act', index: [4] }, on: true })).toMatchObject({ ok: false, status: 400 });
    expect(await instructor.socket.emitWithAck('flag', { target, on: true })).toMatchObject({ ok: false, status: 403 });

    // A new pass starts clean; so does clearFlags.
    await instructor.command({ type: 'update' });
    const cleared = instructor.next<FlagCounts>('flags', (f) => Object.keys(f.counts).length === 0);
    await instructor.command({ type: 'step' });
    await cleared;
    await a.socket.emitWithAck('flag', { target, on: true });
    await instructor.next<FlagCounts>('flags', (f) => f.counts['B_act[2]'] === 1);
    const clearedAgain = instructor.next<FlagCounts>('flags', (f) => Object.keys(f.counts).length === 0);
    expect(await instructor.command({ type: 'clearFlags' })).toMatchObject({ ok: true });
    await clearedAgain;
    expect(seenByStudent).toEqual([]);
  });

  it('tells a student who reconnects which flags it still has in this pass', async () => {
    server = await startServer();
    const { id } = await createLecture(server.url);
    const first = await connect(server.url, { lectureId: id, clientId: server!.clientId('comes-back') });
    await first.socket.emitWithAck('flag', { target: { type: 'stage', stage: 'B' }, on: true });
    await first.socket.emitWithAck('flag', { target: { type: 'element', tensor: 'W', index: [0, 3] }, on: true });
    first.close();
    const again = new LectureClient(server.url, { lectureId: id, clientId: server!.clientId('comes-back') });
    open.push(again);
    const mine = await again.next<{ keys: string[] }>('flags:mine');
    expect(mine.keys.sort()).toEqual(['W[0,3]', 'stage:B']);
  });

  it('keeps the pass\'s flags across a server restart, and a new pass after it still clears them', async () => {
    server = await startServer();
    const dataDir = server.dataDir;
    const { id, instructorToken } = await createLecture(server.url);
    let instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    await instructor.command({ type: 'forward' });
    for (const clientId of ['s1', 's2']) {
      const s = await connect(server.url, { lectureId: id, clientId: server!.clientId(clientId) });
      expect(await s.socket.emitWithAck('flag', { target: { type: 'element', tensor: 'C_act', index: [0] }, on: true })).toEqual({ ok: true });
    }
    const s3 = await connect(server.url, { lectureId: id, clientId: server!.clientId('s3') });
    await s3.socket.emitWithAck('flag', { target: { type: 'stage', stage: 'L' }, on: true });
    await s3.socket.emitWithAck('flag', { target: { type: 'stage', stage: 'L' }, on: false });
    const restart = async () => {
      while (open.length) open.pop()!.close();
      await server!.app.close();
      server!.store.close();
      server = await startServer({ dataDir });
    };
    await restart();

    const flagsOnJoin = (c: LectureClient) => c.next<FlagCounts>('flags');
    instructor = new LectureClient(server.url, { lectureId: id, token: instructorToken });
    open.push(instructor);
    expect(await flagsOnJoin(instructor)).toEqual({ counts: { 'C_act[0]': 2 } });
    const back = new LectureClient(server.url, { lectureId: id, clientId: server!.clientId('s1') });
    open.push(back);
    expect(await back.next<{ keys: string[] }>('flags:mine')).toEqual({ keys: ['C_act[0]'] });

    // A new pass clears them, durably.
    await instructor.until((s) => s !== null);
    await instructor.command({ type: 'update' });
    await instructor.command({ type: 'step' });
    await restart();
    instructor = new LectureClient(server.url, { lectureId: id, token: instructorToken });
    open.push(instructor);
    expect(await flagsOnJoin(instructor)).toEqual({ counts: {} });
  });

  it('rate-limits a student who floods flags, with a clear error', async () => {
    server = await startServer();
    const { id } = await createLecture(server.url);
    const a = await connect(server.url, { lectureId: id, clientId: server!.clientId('flooder') });
    const acks = await Promise.all(
      Array.from({ length: 100 }, (_, i) => a.socket.emitWithAck('flag', { target: { type: 'element', tensor: 'W', index: [i % 3, i % 4] }, on: i % 2 === 0 })),
    );
    const limited = acks.filter((x) => !x.ok && x.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(60);
    expect(limited[0]).toMatchObject({ error: expect.stringMatching(/too many messages/) });
  });
});

describe('pacing', () => {
  it('is an instructor command in every snapshot, not undone by back', async () => {
    server = await startServer();
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    const student = await connect(server.url, { lectureId: id });
    expect(student.state!.pacing).toBe('free');
    await instructor.command({ type: 'step' });
    expect(await instructor.command({ type: 'setPacing', mode: 'follow' })).toEqual({ ok: true, seq: 2 });
    await student.atSeq(2);
    expect(student.state!.pacing).toBe('follow');
    expect(await instructor.command({ type: 'setPacing', mode: 'lockstep' })).toMatchObject({ ok: false, status: 400 });
    await instructor.command({ type: 'back' });
    await student.atSeq(3);
    expect(student.state!.pacing).toBe('follow');
    expect(student.state!.stage).toBe('idle');
    expect(student.state).toEqual((await http(server.url, 'GET', `/api/lectures/${id}/state`)).json);
  });
});
