/**
 * Undo is bounded by the bytes of the states it keeps as well as by their count: a pass over 500
 * rows of a wide network is over a megabyte a state, and 1,000 of them were a gigabyte per lecture.
 */
import { describe, expect, it } from 'vitest';
import { createLecture, decide, evolve, undoDepth, type LectureState } from '../../shared/lecture/decider.js';
import { parseCommand } from '../../shared/protocol/commands.js';
import { LIMITS } from '../../shared/protocol/limits.js';

const ctx = { now: 1_700_000_000_000, newSeed: () => 4242 };

function apply(state: LectureState, raw: unknown): LectureState {
  const parsed = parseCommand(raw);
  if (!parsed.ok) throw new Error(parsed.error);
  const d = decide(state, parsed.value, ctx);
  if (!d.ok) throw new Error(d.error);
  return evolve(state, d.event);
}

const tensorBytes = (s: LectureState) => Object.values(s.network.tensors).reduce((n, t) => n + t.data.length * 8, 0);

describe('undo of big passes', () => {
  it('keeps as many states as fit in LIMITS.undoBytes, and back still restores each of them exactly', () => {
    let state = createLecture({ lectureId: 'ABCDEF', title: 'big', preset: 'random', seed: 1, learningRate: 0.1 });
    state = apply(state, { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 500, noise: 0.1, trainFraction: 1, seed: 2 } });
    state = apply(state, { type: 'setNetwork', network: { hidden: [16, 16, 16, 16].map((units) => ({ units, activation: 'tanh' })), biases: true, batch: 'full' } });
    const states: LectureState[] = [];
    for (let i = 0; i < 400; i++) {
      states.push(state);
      state = apply(state, { type: 'step' });
    }
    const perState = tensorBytes(states[200]);
    expect(perState).toBeGreaterThan(500_000);
    const depth = undoDepth(state);
    expect(depth).toBeLessThan(400);
    expect(depth * perState).toBeLessThan(LIMITS.undoBytes * 2);
    expect(depth).toBeGreaterThan(LIMITS.undoBytes / (perState * 4));
    // Every state still undoable comes back exactly.
    for (let k = 1; k <= depth; k++) {
      state = apply(state, { type: 'back' });
      expect(state.network).toEqual(states[states.length - k].network);
    }
    expect(decide(state, { type: 'back' }, ctx)).toMatchObject({ ok: false, error: 'nothing to undo' });
  });
});
