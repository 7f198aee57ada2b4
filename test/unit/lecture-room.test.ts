/**
 * LectureRoom on its own, over an in-memory store (a real LectureStore, test/support/memory-store.ts):
 * commands in order, a refusal changes nothing, a reveal carries the class's answers, back, a
 * training stopped midway, and a restart from the same store that folds back to the same lecture.
 */
import { describe, expect, it } from 'vitest';
import { createLecture, evolve, decide, type LectureState } from '../../shared/lecture/decider.js';
import { toSnapshot } from '../../shared/lecture/views.js';
import type { PredictionReveal } from '../../shared/protocol/collab.js';
import type { Command } from '../../shared/protocol/commands.js';
import type { Frame } from '../../shared/protocol/snapshot.js';
import { OVERFLOW_REFUSAL } from '../../shared/lecture/apply.js';
import { EVENT_FORMAT_VERSION } from '../../shared/lecture/event-format.js';
import { LectureRegistry } from '../../server/lectures.js';
import { DEFAULT_LECTURE_LIMITS } from '../../server/lecture-quota.js';
import type { LectureRoom, RoomDeps, RoomListener } from '../../server/lecture-room.js';
import type { Clock, RandomSource } from '../../server/ports.js';
import { TrainingSlots } from '../../server/training-slots.js';
import { MemoryStore } from '../support/memory-store.js';

/** A clock the test moves, and random bytes from a fixed sequence: the same run every time. */
function testDeps(store = new MemoryStore()): RoomDeps & { store: MemoryStore; clock: Clock & { t: number } } {
  let x = 12345;
  const random: RandomSource = { bytes: (n) => Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24) };
  const clock = { t: 1_700_000_000_000, now: () => clock.t };
  return { store, clock, random, trainings: new TrainingSlots(4), limits: DEFAULT_LECTURE_LIMITS };
}

/** What the room told its listeners, in order. */
function listen(room: LectureRoom) {
  const heard = { frames: [] as Frame[], reveals: [] as PredictionReveal[], progress: 0 };
  const listener: RoomListener = {
    frame: (f) => heard.frames.push(f),
    progress: () => heard.progress++,
    predictionUpdate: () => undefined,
    predictionReveal: (r) => heard.reveals.push(r),
    flags: () => undefined,
  };
  room.subscribe(listener);
  return heard;
}

async function open(deps = testDeps()) {
  const registry = new LectureRegistry(deps);
  const { room } = await registry.create({ title: 'Room test', listed: false, preset: 'notebook', learningRate: 1 });
  return { deps, registry, room, heard: listen(room) };
}

async function runAll(room: LectureRoom, commands: Command[]): Promise<void> {
  for (const c of commands) {
    const result = await room.command(c);
    if (!result.ok) throw new Error(`${c.type}: ${result.error}`);
  }
}

/** The lecture as it started, for folding the store's events by hand. */
const initialOf = (room: LectureRoom): LectureState =>
  createLecture({ lectureId: room.id, title: room.record.title, preset: room.record.preset, seed: room.record.seed, learningRate: room.record.learningRate });

describe('LectureRoom', () => {
  it('applies commands in the order they arrive, commits each before telling the class, and stores what it applied', async () => {
    const { deps, room, heard } = await open();
    const commands: Command[] = [{ type: 'step' }, { type: 'setLearningRate', value: 0.5 }, { type: 'forward' }, { type: 'step' }, { type: 'update' }];
    // Sent at once: the room serialises them, each seq one more than the last.
    const results = await Promise.all(commands.map((c) => room.command(c)));
    expect(results).toEqual(commands.map((_, i) => ({ ok: true, seq: i + 1 })));
    const stored = await deps.store.events(room.id);
    expect(stored.map((e) => [e.seq, e.command.type])).toEqual(commands.map((c, i) => [i + 1, c.type]));
    expect(stored.every((e) => e.format === EVENT_FORMAT_VERSION)).toBe(true);
    expect(heard.frames.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5]);
    // As the class receives them (JSON, in which -0 is 0).
    expect(stored.map((e) => e.frame)).toEqual(JSON.parse(JSON.stringify(heard.frames)));
    // The stored events fold to the room's state.
    const folded = stored.reduce((s, e) => evolve(s, e), initialOf(room));
    expect(toSnapshot(folded)).toEqual(room.snapshot());
  });

  it('refuses a command with its reason and changes nothing: no event, no frame, the same state', async () => {
    const { deps, room, heard } = await open();
    await runAll(room, [{ type: 'step' }]);
    const before = room.state;
    const appends = deps.store.appends;
    const refusals: [Command, number, string | RegExp][] = [
      [{ type: 'reveal' }, 409, 'no prediction is open'],
      [{ type: 'stop' }, 409, 'no training is running'],
      [{ type: 'selectSample', index: 99 }, 400, 'row 99 is outside the data (rows 0 to 7)'],
      [{ type: 'setWeight', tensor: 'Q', index: [0], value: 1 }, 400, /Q is not a weight of this network/],
    ];
    for (const [command, status, error] of refusals) {
      const result = await room.command(command);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.status).toBe(status);
      expect(result.error).toMatch(error);
    }
    expect(room.state).toBe(before);
    expect(deps.store.appends).toBe(appends);
    expect(heard.frames).toHaveLength(1);
  });

  it('refuses a command whose numbers overflow, and keeps the state before it', async () => {
    const { deps, room } = await open();
    // A linear network at the highest learning rate diverges within a few epochs.
    const linear = { hidden: [{ units: 4, activation: 'linear' }], output: { units: 1, activation: 'linear' }, loss: 'halfSquaredError', biases: true, batch: 1 } as const;
    await runAll(room, [{ type: 'setNetwork', network: linear, preset: 'random', seed: 3 }, { type: 'setLearningRate', value: 100 }]);
    const before = room.state;
    const result = await room.command({ type: 'train', epochs: 200 });
    expect(result).toEqual(OVERFLOW_REFUSAL);
    expect(room.state).toBe(before);
    expect((await deps.store.events(room.id))).toHaveLength(2);
  });

  it('carries the class answers in the event that reveals, whether by reveal or by running the stage', async () => {
    const { deps, room, heard } = await open();
    await runAll(room, [{ type: 'ask', tensor: 'B', index: [1] }]);
    for (const [who, value] of [['s1', 0.5], ['s2', 1.5], ['s3', 1]] as const) expect(await room.submitAnswer(who, value)).toEqual({ ok: true });
    await runAll(room, [{ type: 'reveal' }]);
    const reveal = (await deps.store.events(room.id)).at(-1)!;
    expect(reveal.command.type).toBe('reveal');
    expect(reveal.reveal).toMatchObject({ count: 3, mean: 1, median: 1 });
    expect(room.state.prediction).toMatchObject({ status: 'revealed', stats: reveal.reveal });
    expect(heard.reveals).toHaveLength(1);
    expect(heard.reveals[0]).toMatchObject({ askSeq: 1, tensor: 'B', count: 3, mean: 1, actual: room.state.prediction!.actual });

    // Asked for the next pass and revealed by the step that computes it.
    await runAll(room, [{ type: 'forward' }, { type: 'update' }, { type: 'ask', tensor: 'B_act', index: [0] }]);
    expect(await room.submitAnswer('s1', 0.25)).toEqual({ ok: true });
    await runAll(room, [{ type: 'step' }, { type: 'step' }]); // input, B: not yet
    expect((await deps.store.events(room.id)).at(-1)!.reveal).toBeUndefined();
    await runAll(room, [{ type: 'step' }]); // B_act
    const revealing = (await deps.store.events(room.id)).at(-1)!;
    expect(revealing.command.type).toBe('step');
    expect(revealing.reveal).toMatchObject({ count: 1, mean: 0.25 });
    expect(room.state.prediction).toMatchObject({ status: 'revealed', tensor: 'B_act', stats: revealing.reveal });
    // Events that reveal nothing carry no answers.
    expect((await deps.store.events(room.id)).filter((e) => e.reveal).map((e) => e.seq)).toEqual([2, revealing.seq]);
  });

  it('goes back to the state before the last network command, and refuses back with nothing to undo', async () => {
    const { room } = await open();
    expect(await room.command({ type: 'back' })).toEqual({ ok: false, status: 409, error: 'nothing to undo' });
    await runAll(room, [{ type: 'step' }]);
    const afterOne = room.snapshot();
    await runAll(room, [{ type: 'step' }, { type: 'back' }]);
    expect({ ...room.snapshot(), seq: 0, undoDepth: 0 }).toEqual({ ...afterOne, seq: 0, undoDepth: 0 });
    expect(room.seq).toBe(3);
    await runAll(room, [{ type: 'back' }]);
    expect(room.snapshot().tensors).toEqual(toSnapshot(initialOf(room)).tensors);
  });

  it('trains in slices, refuses other commands meanwhile, stops when asked, and records what ran', async () => {
    const { deps, room, heard } = await open();
    const training = room.command({ type: 'train', epochs: 1_000_000 });
    while ((room.snapshot().training?.epochsDone ?? 0) === 0) await new Promise((r) => setTimeout(r, 5));
    const busy = await room.command({ type: 'step' });
    expect(busy).toMatchObject({ ok: false, status: 409, error: expect.stringMatching(/^training is running \(\d+\/1000000 epochs\); send stop to end it$/) });
    expect(await room.command({ type: 'stop' })).toEqual({ ok: true, seq: 0 });
    expect(await training).toEqual({ ok: true, seq: 1 });
    const [event] = await deps.store.events(room.id);
    if (event.command.type !== 'train') throw new Error('not a training');
    expect(event.command.epochs).toBe(1_000_000);
    expect(event.command.epochsRun).toBeGreaterThan(0);
    expect(event.command.epochsRun).toBeLessThan(1_000_000);
    expect(event.trained!.losses).toHaveLength(event.command.epochsRun);
    expect(room.state.network.epoch).toBe(event.command.epochsRun);
    expect(heard.frames).toHaveLength(1);
    expect(room.snapshot().training).toBeNull();
  });

  it('trains in slices to exactly the lecture that training at once gives', async () => {
    const { room } = await open();
    await runAll(room, [{ type: 'step' }, { type: 'train', epochs: 300 }]);
    let atOnce = initialOf(room);
    for (const command of [{ type: 'step' }, { type: 'train', epochs: 300 }] as const) {
      const d = decide(atOnce, command, { now: 0, newSeed: () => 0 });
      if (!d.ok) throw new Error(d.error);
      atOnce = evolve(atOnce, d.event); // no result recorded: evolve trains the 300 epochs itself
    }
    expect(room.snapshot()).toEqual(toSnapshot(atOnce));
    expect(room.state.network.lossHistory.toArray()).toEqual(atOnce.network.lossHistory.toArray());
  });

  it('comes back from the same store after a restart as exactly the lecture it was', async () => {
    const { deps, room } = await open();
    await runAll(room, [
      { type: 'forward' },
      { type: 'ask', tensor: 'dL_dV', index: [2, 0] },
      { type: 'train', epochs: 40 },
      { type: 'setWeight', tensor: 'W', index: [1, 2], value: -0.75 },
      { type: 'ask', tensor: 'C', index: [0] },
    ]);
    expect(await room.submitAnswer('s1', 0.3)).toEqual({ ok: true });
    await runAll(room, [{ type: 'step' }, { type: 'step' }, { type: 'step' }, { type: 'back' }, { type: 'setPacing', mode: 'follow' }]);
    // A new registry over the same store: the process restarted.
    const restarted = (await new LectureRegistry({ ...deps, trainings: new TrainingSlots(4) }).get(room.id))!;
    expect(restarted.snapshot()).toEqual(room.snapshot());
    expect(restarted.state.undo?.depth).toBe(room.state.undo?.depth);
    // And it goes on as the first would have.
    const back = decide(room.state, { type: 'back' }, { now: 0, newSeed: () => 0 });
    if (!back.ok) throw new Error(back.error);
    await runAll(restarted, [{ type: 'back' }]);
    expect(restarted.snapshot()).toEqual(toSnapshot(evolve(room.state, back.event)));
  });

  it('refuses to load a lecture whose log holds an event of a newer format, and loads the others', async () => {
    const { deps, room } = await open();
    await runAll(room, [{ type: 'step' }]);
    const other = (await new LectureRegistry(deps).create({ title: 'Other', listed: false })).room;
    await runAll(other, [{ type: 'step' }]);
    const [event] = await deps.store.events(room.id);
    await deps.store.appendEvent(room.id, { ...event, seq: 2, format: EVENT_FORMAT_VERSION + 1 });
    const restarted = new LectureRegistry(deps);
    await expect(restarted.get(room.id)).rejects.toThrow(
      `lecture ${room.id} cannot be loaded: its event 2 was written by a newer server (event format ${EVENT_FORMAT_VERSION + 1}), ` +
        `and this server reads event formats up to ${EVENT_FORMAT_VERSION}; upgrade this server to load it (nothing was changed)`,
    );
    expect((await restarted.get(other.id))!.snapshot()).toEqual(other.snapshot());
  });
});
