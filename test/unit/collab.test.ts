import { describe, expect, it } from 'vitest';
import { createLecture, decide, evolve, type LectureState } from '../../shared/lecture/decider.js';
import { aggregate } from '../../shared/protocol/answer-stats.js';
import { parseCommand, type Command } from '../../shared/protocol/commands.js';
import { flagKey } from '../../shared/protocol/flag-key.js';

const ctx = { now: 0, newSeed: () => 1 };
function run(state: LectureState, ...commands: Command[]): LectureState {
  for (const c of commands) {
    const d = decide(state, c, ctx);
    if (!d.ok) throw new Error(d.error);
    state = evolve(state, d.event);
  }
  return state;
}
const start = () => createLecture({ lectureId: 'ABCDEF', title: 't', preset: 'notebook', seed: 0, learningRate: 1 });

describe('aggregate', () => {
  it('computes count, mean, median and a 10-bin histogram exactly', () => {
    const s = aggregate([3, 1, 2, 10]);
    expect(s).toMatchObject({ count: 4, mean: 4, median: 2.5 });
    expect(s.histogram.edges).toHaveLength(11);
    expect(s.histogram.edges[0]).toBe(1);
    expect(s.histogram.edges[10]).toBe(10);
    expect(s.histogram.counts).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 1]);
    expect(aggregate([5]).median).toBe(5);
    expect(aggregate([2, 2, 2]).histogram).toEqual({ edges: [2, 2], counts: [3] });
    expect(aggregate([])).toEqual({ count: 0, mean: null, median: null, histogram: { edges: [], counts: [] } });
  });
});

describe('predictions in the decider', () => {
  it('reveal with the value of the pass that just ran, even when a run-to command goes past it', () => {
    const asked = run(start(), { type: 'ask', tensor: 'B_act', index: [1] });
    const passed = run(asked, { type: 'update' });
    expect(passed.prediction).toMatchObject({ status: 'revealed', actual: passed.network.tensors.B_act!.data[1] });
  });

  it('a question asked after a complete pass is about the next pass', () => {
    const done = run(start(), { type: 'update' });
    expect(done.network.stage).toBe('update');
    const asked = run(done, { type: 'ask', tensor: 'B', index: [0] });
    const next = run(asked, { type: 'update' });
    expect(next.network.sampleIndex).toBe(1);
    expect(next.prediction!.actual).toBe(next.network.tensors.B!.data[0]);
    // Sample 1 is A = [0, 1, 0], so B[0] is W[1][0] (row 1 of W has not moved yet).
    expect(next.prediction!.actual).toBe(start().network.tensors.W.data[4]);
  });

  it('asks about the weights after the update', () => {
    const asked = run(start(), { type: 'forward' }, { type: 'ask', tensor: 'W', index: [0, 1] });
    const early = run(asked, { type: 'reveal' });
    expect(early.network.stage).toBe('L');
    const updated = run(asked, { type: 'update' });
    expect(early.prediction!.actual).toBe(updated.network.tensors.W.data[1]);
    expect(updated.prediction!.actual).toBe(updated.network.tensors.W.data[1]);
  });

  it('keeps questions and pacing through back', () => {
    const s = run(start(), { type: 'step' }, { type: 'setPacing', mode: 'follow' }, { type: 'ask', tensor: 'L', index: [0] }, { type: 'back' });
    expect(s.network.stage).toBe('idle');
    expect(s.pacing).toBe('follow');
    expect(s.prediction).toMatchObject({ status: 'open', tensor: 'L' });
  });
});

describe('collaboration commands', () => {
  it('validate their arguments', () => {
    expect(parseCommand({ type: 'ask', tensor: 'C_act', index: [0] })).toEqual({ ok: true, value: { type: 'ask', tensor: 'C_act', index: [0] } });
    expect(parseCommand({ type: 'ask', tensor: 'Q!', index: [0] })).toMatchObject({ ok: false, error: expect.stringContaining('tensor must be a tensor name') });
    expect(parseCommand({ type: 'ask', tensor: 'W', index: [] })).toMatchObject({ ok: false, error: expect.stringContaining('index needs 1 or 2 numbers') });
    expect(parseCommand({ type: 'setPacing', mode: 'free' })).toMatchObject({ ok: true });
    expect(parseCommand({ type: 'reveal', now: true })).toMatchObject({ ok: false });
  });

  it('name flags by stage or element', () => {
    expect(flagKey({ type: 'stage', stage: 'dL_dB' })).toBe('stage:dL_dB');
    expect(flagKey({ type: 'element', tensor: 'W', index: [1, 3] })).toBe('W[1,3]');
  });
});
