import { describe, expect, it } from 'vitest';
import { NOTEBOOK_MLP_CONFIG } from '../../shared/engine/mlp/config.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import type { Command } from '../../shared/protocol/commands.js';
import type { Frame } from '../../shared/protocol/snapshot.js';
import { CONNECT_ERRORS, type Presence } from '../../shared/protocol/socket.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { useServer } from '../support/suite.js';
import { connectError, createLecture, http, LectureClient } from '../support/clients.js';

/** The notebook network's 14 stages, in order (every new lecture starts on it). */
const STAGES = mlpLayout(NOTEBOOK_MLP_CONFIG).stages.map((s) => s.stage);

// Syncs here ask for several snapshots in a row; the one-snapshot-per-socket throttle is amplification.test.ts's subject.
const suite = useServer({ snapshotIntervalMs: 0 });
const { connect, state } = suite;

describe('a live lecture', () => {
  it('delivers every frame of the instructor\'s walk-through to two students, in order', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const instructor = await connect({ lectureId: id, token: instructorToken, name: 'Prof' });
    const alice = await connect({ lectureId: id, name: 'Alice' });
    const bob = await connect({ lectureId: id.toLowerCase() });
    expect(alice.state!.seq).toBe(0);

    const walk: Command[] = [...STAGES.map(() => ({ type: 'step' }) as const), { type: 'forward' }, { type: 'setLearningRate', value: 0.5 }, { type: 'backward' }, { type: 'back' }, { type: 'update' }];
    for (const command of walk) {
      const ack = await instructor.command(command);
      expect(ack, JSON.stringify(command)).toMatchObject({ ok: true });
    }
    const expected = Array.from({ length: walk.length }, (_, i) => i + 1);
    for (const student of [alice, bob]) {
      await student.atSeq(walk.length);
      expect(student.seenSeqs).toEqual(expected);
      expect(student.errors).toEqual([]);
      expect(student.state).toEqual(await state(id));
    }
  });

  it('refuses a student\'s command and changes nothing', async () => {
    const { id } = await createLecture(suite.server.url);
    const student = await connect({ lectureId: id });
    const before = await state(id);
    const ack = await student.command({ type: 'step' });
    expect(ack).toEqual({ ok: false, status: 403, error: 'only the instructor can send commands' });
    expect(await state(id)).toEqual(before);
  });

  it('answers bad socket payloads with an error and stays up', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const instructor = await connect({ lectureId: id, token: instructorToken });
    for (const bad of [null, 42, 'step', [], { type: 'step', x: 1 }, { type: 'train', epochs: Infinity }, { type: 'selectSample', index: -1 }]) {
      const ack = await instructor.command(bad);
      expect(ack.ok, JSON.stringify(bad)).toBe(false);
      if (!ack.ok) {
        expect(ack.status).toBe(400);
        expect(ack.error.length).toBeGreaterThan(5);
      }
    }
    expect((await state(id)).seq).toBe(0);
    expect(await instructor.command({ type: 'step' })).toEqual({ ok: true, seq: 1 });
  });

  it('restores the state bit for bit with back', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url, { preset: 'random', seed: 11 });
    const instructor = await connect({ lectureId: id, token: instructorToken });
    const snapshots = [await state(id)];
    const commands: Command[] = [{ type: 'forward' }, { type: 'update' }, { type: 'train', epochs: 4 }, { type: 'setWeight', tensor: 'W', index: [1, 2], value: 0.125 }, { type: 'reset', preset: 'notebook' }];
    for (const c of commands) {
      await instructor.command(c);
      snapshots.push(await state(id));
    }
    for (let i = commands.length - 1; i >= 0; i--) {
      const ack = await instructor.command({ type: 'back' });
      expect(ack.ok).toBe(true);
      const now = await state(id);
      const { seq, undoDepth, ...rest } = now;
      const { seq: s0, undoDepth: u0, ...expected } = snapshots[i];
      expect(rest).toEqual(expected);
      expect(seq).toBe(commands.length + (commands.length - i));
      expect(undoDepth).toBe(u0);
    }
    await instructor.atSeq(2 * commands.length);
    expect(instructor.state).toEqual(await state(id));
  });

  it('trains with progress, refuses other commands meanwhile, and stops after the current epoch', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const instructor = await connect({ lectureId: id, token: instructorToken });
    const student = await connect({ lectureId: id });
    const progress: number[] = [];
    student.socket.on('progress', (p) => progress.push(p.epochsDone));
    const training = instructor.command({ type: 'train', epochs: 100_000 });
    await new Promise<void>((resolve) => student.socket.once('progress', () => resolve()));
    const meanwhile = await instructor.command({ type: 'step' });
    expect(meanwhile).toMatchObject({ ok: false, status: 409 });
    if (!meanwhile.ok) expect(meanwhile.error).toMatch(/training is running/);
    const joiner = await connect({ lectureId: id });
    expect(joiner.state!.training).toMatchObject({ epochsTotal: 100_000 });
    expect(await instructor.command({ type: 'stop' })).toMatchObject({ ok: true });
    const done = await training;
    expect(done).toEqual({ ok: true, seq: 1 });
    const after = await state(id);
    expect(after.epoch).toBeLessThan(100_000);
    expect(after.epoch).toBeGreaterThanOrEqual(progress[0]);
    expect(after.lossCount).toBe(after.epoch);
    expect((await http(suite.server.url, 'GET', `/api/lectures/${id}/loss`)).json).toHaveLength(after.epoch);
    expect(after.training).toBeNull();
    const recording = (await http(suite.server.url, 'GET', `/api/lectures/${id}/recording`)).json;
    expect(recording.events[0].command).toEqual({ type: 'train', epochs: 100_000, epochsRun: after.epoch });
    await student.atSeq(1);
    expect(student.state).toEqual(after);
  });

  it('trains 100,000 epochs to the end; frames and snapshots stay small, the exact history is one request away', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const instructor = await connect({ lectureId: id, token: instructorToken });
    const student = await connect({ lectureId: id });
    const frames: Frame[] = [];
    student.socket.on('frame', (f) => frames.push(f));
    expect(await instructor.command({ type: 'train', epochs: 100_000 })).toEqual({ ok: true, seq: 1 });
    const after = await state(id);
    expect(after.epoch).toBe(100_000);
    expect(after.lossCount).toBe(100_000);
    expect(after.lossStride).toBe(128);
    expect(after.lossHistory).toHaveLength(Math.ceil(100_000 / 128));
    const exact: number[] = (await http(suite.server.url, 'GET', `/api/lectures/${id}/loss`)).json;
    expect(exact).toHaveLength(100_000);
    // Each point is the mean of its block of 128 epochs.
    const block = exact.slice(128, 256);
    expect(after.lossHistory[1]).toBeCloseTo(block.reduce((a, b) => a + b) / 128, 15);
    expect(JSON.stringify(after).length).toBeLessThan(40_000);

    // Stepping after training: small frames, and the student's copy stays exact.
    for (let i = 0; i < 120; i++) await instructor.command({ type: 'step' });
    await student.atSeq(121);
    expect(student.state).toEqual(await state(id));
    expect(Math.max(...frames.map((f) => JSON.stringify(f).length))).toBeLessThan(40_000);
    expect(Math.max(...frames.slice(1).map((f) => JSON.stringify(f).length))).toBeLessThan(2_000);
  });
});

describe('joining', () => {
  it('refuses a wrong instructor token instead of making a student', async () => {
    const { id } = await createLecture(suite.server.url);
    const err = await connectError(suite.server.url, { protocol: PROTOCOL_VERSION, lectureId: id, token: 'wrong' });
    expect(err.message).toBe('the instructor token is not valid for this lecture');
    expect(err.data?.code).toBe(CONNECT_ERRORS.badToken);
  });

  it('refuses an unknown lecture, an old protocol and a malformed handshake', async () => {
    const unknown = await connectError(suite.server.url, { protocol: PROTOCOL_VERSION, lectureId: 'QQQQQQ' });
    expect(unknown.data?.code).toBe(CONNECT_ERRORS.unknownLecture);
    const { id } = await createLecture(suite.server.url);
    const old = await connectError(suite.server.url, { protocol: PROTOCOL_VERSION - 1, lectureId: id });
    expect(old.data?.code).toBe(CONNECT_ERRORS.protocol);
    const malformed = await connectError(suite.server.url, { lectureId: 42 });
    expect(malformed.data?.code).toBe(CONNECT_ERRORS.badHandshake);
  });

  it('gives a reconnecting client with lastSeq exactly what it missed', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const instructor = await connect({ lectureId: id, token: instructorToken });
    const first = await connect({ lectureId: id });
    for (let i = 0; i < 3; i++) await instructor.command({ type: 'step' });
    await first.atSeq(3);
    const held = first.state!;
    first.close();
    // Two small frames are fewer bytes than a snapshot, so the server sends the frames.
    for (let i = 0; i < 2; i++) await instructor.command({ type: 'step' });

    const again = suite.closeAfterTest(new LectureClient(suite.server.url, { lectureId: id, lastSeq: held.seq }));
    again.state = held;
    await again.atSeq(5);
    expect(again.snapshots).toEqual([]);
    expect(again.seenSeqs).toEqual([4, 5]);
    expect(again.state).toEqual(await state(id));

    // A client that noticed a gap asks with sync.
    const missed = await again.socket.emitWithAck('sync', { lastSeq: 4 });
    expect(missed).toMatchObject({ type: 'frames' });
    if ('type' in missed && missed.type === 'frames') expect(missed.frames.map((f) => f.seq)).toEqual([5]);
    const far = await again.socket.emitWithAck('sync', { lastSeq: 999 });
    expect(far).toMatchObject({ type: 'snapshot', snapshot: { seq: 5 } });
    // Far behind, a snapshot is smaller than the frames: the client gets that instead.
    for (let i = 0; i < 30; i++) await instructor.command({ type: 'step' });
    const behind = await again.socket.emitWithAck('sync', { lastSeq: 1 });
    expect(behind).toMatchObject({ type: 'snapshot', snapshot: await state(id) });
  });

  it('sends a joiner the current state and counts who is watching', async () => {
    const { id, instructorToken } = await createLecture(suite.server.url);
    const instructor = await connect({ lectureId: id, token: instructorToken });
    await instructor.command({ type: 'forward' });
    const late = await connect({ lectureId: id });
    expect(late.state).toEqual(await state(id));
    const presence = new Promise<Presence>((resolve) => instructor.socket.on('presence', (p) => p.students === 2 && resolve(p)));
    await connect({ lectureId: id });
    expect(await presence).toEqual({ students: 2, instructors: 1, projectors: 0, names: [] });
  });
});
