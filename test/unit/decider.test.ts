import { describe, expect, it } from 'vitest';
import { createLecture, decide, evolve, type LectureState } from '../../shared/lecture/decider.js';
import { frameBetween, toSnapshot } from '../../shared/lecture/views.js';
import type { Command } from '../../shared/protocol/commands.js';
import { LIMITS } from '../../shared/protocol/limits.js';
import { applyFrame, type Snapshot } from '../../shared/protocol/snapshot.js';

const ctx = { now: 1_700_000_000_000, newSeed: () => 4242 };
const start = (preset: 'notebook' | 'random' = 'notebook') =>
  createLecture({ lectureId: 'ABCDEF', title: 'Test', preset, seed: 7, learningRate: 1 });

/** Applies a command the way the server does and also keeps a client copy from frames. */
function run(state: LectureState, client: Snapshot, command: Command): { state: LectureState; client: Snapshot } {
  const d = decide(state, command, ctx);
  if (!d.ok) throw new Error(d.error);
  const next = evolve(state, d.event);
  return { state: next, client: applyFrame(client, frameBetween(state, next, d.event)) };
}

function runAll(commands: Command[], initial = start()) {
  let state = initial;
  let client = toSnapshot(initial);
  const history: LectureState[] = [state];
  for (const c of commands) {
    ({ state, client } = run(state, client, c));
    history.push(state);
  }
  return { state, client, history };
}

const WALK: Command[] = [
  { type: 'step' },
  { type: 'forward' },
  { type: 'setLearningRate', value: 0.5 },
  { type: 'backward' },
  { type: 'update' },
  { type: 'step' },
  { type: 'selectSample', index: 5 },
  { type: 'update' },
  { type: 'setWeight', tensor: 'V', index: [2, 0], value: -1.25 },
  { type: 'train', epochs: 3 },
  { type: 'forward' },
  { type: 'reset', preset: 'random', seed: 99 },
  { type: 'step' },
];

describe('frames', () => {
  it('take a client holding the previous state to exactly the server state, for every command', () => {
    const { state, client, history } = runAll(WALK);
    expect(client).toEqual(toSnapshot(state));
    expect(history.at(-1)!.seq).toBe(WALK.length);
  });

  it('carry only what changed', () => {
    const s0 = start();
    const d = decide(s0, { type: 'step' }, ctx);
    if (!d.ok) throw new Error();
    const s1 = evolve(s0, d.event);
    const f = frameBetween(s0, s1, d.event);
    expect(Object.keys(f.tensors).sort()).toEqual(['A', 'y']);
    expect(f.cleared).toEqual([]);
    expect(f.loss).toEqual({ keep: 0, append: [], stride: 1, count: 0 });
  });

  it('refuse to apply over a gap', () => {
    const { state } = runAll([{ type: 'step' }, { type: 'step' }]);
    const d = decide(state, { type: 'step' }, ctx);
    if (!d.ok) throw new Error();
    const next = evolve(state, d.event);
    expect(() => applyFrame(toSnapshot(start()), frameBetween(state, next, d.event))).toThrow(RangeError);
  });
});

describe('back', () => {
  it('restores the state before each command bit for bit, walking further back when repeated', () => {
    const { state, client, history } = runAll(WALK);
    let s = state;
    let c = client;
    for (let i = WALK.length - 1; i >= 0; i--) {
      ({ state: s, client: c } = run(s, c, { type: 'back' }));
      const expected = toSnapshot(history[i]);
      const got = toSnapshot(s);
      expect({ ...got, seq: 0, undoDepth: 0 }).toEqual({ ...expected, seq: 0, undoDepth: 0 });
      expect(c).toEqual(got);
      expect([s.network.epochLossSum, s.network.epochLossCount]).toEqual([history[i].network.epochLossSum, history[i].network.epochLossCount]);
    }
    expect(s.seq).toBe(2 * WALK.length);
    expect(decide(s, { type: 'back' }, ctx)).toMatchObject({ ok: false, status: 409, error: 'nothing to undo' });
  });

  it('undoes a reset, including its preset and seed', () => {
    const { state } = runAll([{ type: 'reset', preset: 'random', seed: 5 }]);
    expect(state.preset).toBe('random');
    const d = decide(state, { type: 'back' }, ctx);
    if (!d.ok) throw new Error();
    const back = evolve(state, d.event);
    expect(back.preset).toBe('notebook');
    expect(toSnapshot(back).tensors).toEqual(toSnapshot(start()).tensors);
  });

  it('keeps at least the undo limit of commands undoable', () => {
    let state = start();
    for (let i = 0; i < LIMITS.undoDepth * 2; i++) {
      const d = decide(state, { type: 'step' }, ctx);
      if (!d.ok) throw new Error();
      state = evolve(state, d.event);
    }
    const depth = state.undo!.depth;
    expect(depth).toBeGreaterThanOrEqual(LIMITS.undoDepth);
    expect(depth).toBeLessThanOrEqual(LIMITS.undoDepth * 1.5);
  });
});

describe('run-to commands', () => {
  it('forward runs every remaining forward stage and stops at L', () => {
    const { state } = runAll([{ type: 'step' }, { type: 'step' }, { type: 'forward' }]);
    expect(state.network.stage).toBe('L');
    expect(decide(state, { type: 'forward' }, ctx)).toMatchObject({ ok: false, status: 409 });
  });

  it('backward runs the rest of the pass up to dL_dW, from anywhere before it', () => {
    const { state } = runAll([{ type: 'backward' }]);
    expect(state.network.stage).toBe('dL_dW');
    expect(decide(state, { type: 'backward' }, ctx)).toMatchObject({ ok: false, status: 409 });
    expect(decide(state, { type: 'forward' }, ctx)).toMatchObject({ ok: false, status: 409 });
  });

  it('update from idle runs the whole pass; after a completed pass it runs the next sample\'s', () => {
    const { state } = runAll([{ type: 'update' }]);
    expect(state.network.stage).toBe('update');
    expect(state.network.sampleIndex).toBe(0);
    const { state: next } = runAll([{ type: 'update' }, { type: 'forward' }]);
    expect(next.network.stage).toBe('L');
    expect(next.network.sampleIndex).toBe(1);
  });
});

describe('other commands', () => {
  it('selectSample and setWeight clear the pass but keep the sample', () => {
    const { state } = runAll([{ type: 'forward' }, { type: 'selectSample', index: 3 }]);
    expect(state.network.stage).toBe('idle');
    expect(state.network.sampleIndex).toBe(3);
    expect(Object.keys(state.network.tensors).sort()).toEqual(['V', 'W']);
    const { state: edited } = runAll([{ type: 'selectSample', index: 3 }, { type: 'forward' }, { type: 'setWeight', tensor: 'W', index: [2, 1], value: 0.5 }]);
    expect(edited.network.stage).toBe('idle');
    expect(edited.network.sampleIndex).toBe(3);
    expect(edited.network.tensors.W.data[2 * 4 + 1]).toBe(0.5);
  });

  it('reset keeps the learning rate; a random reset without a seed records the seed it drew', () => {
    const { state } = runAll([{ type: 'setLearningRate', value: 0.25 }, { type: 'train', epochs: 2 }]);
    const d = decide(state, { type: 'reset', preset: 'random' }, ctx);
    expect(d).toMatchObject({ ok: true, event: { command: { type: 'reset', preset: 'random', seed: 4242 } } });
    if (!d.ok) throw new Error();
    const reset = evolve(state, d.event);
    expect(reset.network.learningRate).toBe(0.25);
    expect(reset.network.epoch).toBe(0);
    expect(reset.network.lossHistory.toArray()).toEqual([]);
    expect(reset.seed).toBe(4242);
  });

  it('train leaves the stage idle at sample 0 with the epoch advanced', () => {
    const { state } = runAll([{ type: 'selectSample', index: 4 }, { type: 'forward' }, { type: 'train', epochs: 5 }]);
    expect(state.network).toMatchObject({ stage: 'idle', sampleIndex: 0, epoch: 5 });
    expect(state.network.lossHistory).toHaveLength(5);
  });

  it('stop is refused when nothing trains', () => {
    expect(decide(start(), { type: 'stop' }, ctx)).toMatchObject({ ok: false, status: 409, error: 'no training is running' });
  });

  it('replaying the recorded events reproduces the state (the recording is the event log)', () => {
    const events = [];
    let state = start();
    for (const c of WALK) {
      const d = decide(state, c, ctx);
      if (!d.ok) throw new Error();
      events.push(d.event);
      state = evolve(state, d.event);
    }
    const replayed = events.reduce((s, e) => evolve(s, e), start());
    expect(toSnapshot(replayed)).toEqual(toSnapshot(state));
  });
});

describe('the loss series', () => {
  it('is exact up to LOSS_POINTS epochs, then block means with a doubling stride', async () => {
    const { lossSeries, LOSS_POINTS } = await import('../../shared/protocol/loss-series.js');
    const exact = Array.from({ length: LOSS_POINTS }, (_, i) => 1 / (i + 1));
    expect(lossSeries(exact)).toEqual({ count: LOSS_POINTS, stride: 1, points: exact });
    const longer = [...exact, 0.5];
    const s = lossSeries(longer);
    expect(s.stride).toBe(2);
    expect(s.points).toHaveLength(LOSS_POINTS / 2 + 1);
    expect(s.points[0]).toBe((1 + 1 / 2) / 2);
    expect(s.points.at(-1)).toBe(0.5); // a partial last block
  });

  it('keeps a client exact through frames across a stride change', () => {
    const { state, client } = runAll([{ type: 'train', epochs: 1020 }, { type: 'train', epochs: 10 }, { type: 'update' }, { type: 'back' }, { type: 'back' }]);
    expect(client).toEqual(toSnapshot(state));
    expect(client.lossStride).toBe(1); // back below LOSS_POINTS epochs: exact again
    expect(client.lossCount).toBe(1020);
  });
});
