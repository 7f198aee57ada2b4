/** The shared append-only loss series: states that share it see their own prefix, whatever is appended after them. */
import { describe, expect, it } from 'vitest';
import { LossLog } from '../../shared/engine/loss-log.js';

describe('LossLog', () => {
  it('appends in place for the newest state and copies for an older one, each keeping its own numbers', () => {
    const a = LossLog.of([1, 2]);
    const b = a.append([3]);
    const c = b.append(Array.from({ length: 100 }, (_, i) => i)); // grows the shared buffer
    const branch = a.append([9, 9]); // appended to an older state: its own copy
    expect(a.toArray()).toEqual([1, 2]);
    expect(b.toArray()).toEqual([1, 2, 3]);
    expect(c.length).toBe(103);
    expect(c.at(-1)).toBe(99);
    expect(branch.toArray()).toEqual([1, 2, 9, 9]);
    expect(c.slice(0, 4)).toEqual([1, 2, 3, 0]);
    expect(b.append([]).toArray()).toEqual([1, 2, 3]);
    expect(JSON.stringify(b)).toBe('[1,2,3]');
  });

  it('compares number by number in matchers', () => {
    expect(LossLog.of([1, 2])).toEqual(LossLog.of([1, 2]));
    expect(LossLog.of([1, 2])).not.toEqual(LossLog.of([1, 3]));
    expect(LossLog.of([1])).not.toEqual(LossLog.of([1, 1]));
  });
});

describe('a lecture that trains again and again', () => {
  it('keeps one loss buffer for all its states (no copy per training) and gets a copy of its own only after an undo', async () => {
    const { createLecture, decide, evolve } = await import('../../shared/lecture/decider.js');
    const ctx = { now: 0, newSeed: () => 1 };
    const run = (s: ReturnType<typeof createLecture>, command: Parameters<typeof decide>[1]) => {
      const d = decide(s, command, ctx);
      if (!d.ok) throw new Error(d.error);
      return evolve(s, d.event);
    };
    const states = [createLecture({ lectureId: 'ABCDEF', title: 't', preset: 'notebook', seed: 0, learningRate: 1 })];
    for (let i = 0; i < 5; i++) states.push(run(states.at(-1)!, { type: 'train', epochs: 50 }));
    const buffer = (s: (typeof states)[number]) => s.network.lossHistory.view().buffer;
    for (const s of states.slice(2)) expect(buffer(s)).toBe(buffer(states[1]));
    expect(states.at(-1)!.network.lossHistory.length).toBe(250);
    const undone = run(states.at(-1)!, { type: 'back' });
    const branched = run(undone, { type: 'train', epochs: 10 });
    expect(buffer(branched)).not.toBe(buffer(states[1]));
    expect(states.at(-1)!.network.lossHistory.length).toBe(250);
    expect(branched.network.lossHistory.slice(0, 200)).toEqual(states[4].network.lossHistory.toArray());
  });
});
