import { describe, expect, it } from 'vitest';
import { createLecture, decide, evolve } from '../../shared/lecture/decider.js';
import { ReplayIndex } from '../../shared/lecture/replay-index.js';
import { frameBetween, toSnapshot } from '../../shared/lecture/views.js';
import type { Command } from '../../shared/protocol/commands.js';
import type { Frame } from '../../shared/protocol/snapshot.js';

function record(commands: Command[]) {
  let state = createLecture({ lectureId: 'ABCDEF', title: 't', preset: 'notebook', seed: 0, learningRate: 1 });
  const initial = toSnapshot(state);
  const frames: Frame[] = [];
  const states = [initial];
  commands.forEach((c, i) => {
    const d = decide(state, c, { now: i, newSeed: () => 3 });
    if (!d.ok) throw new Error(d.error);
    const next = evolve(state, d.event);
    frames.push(frameBetween(state, next, d.event));
    state = next;
    states.push(toSnapshot(state));
  });
  return { initial, frames, states };
}

describe('ReplayIndex', () => {
  it('seeks to every event exactly, from keyframes', () => {
    const commands: Command[] = Array.from({ length: 300 }, (_, i) =>
      i % 50 === 49 ? { type: 'train', epochs: 2 } : i % 37 === 36 ? { type: 'back' } : { type: 'step' },
    );
    const { initial, frames, states } = record(commands);
    const index = new ReplayIndex(initial, frames, 16);
    expect(index.lastSeq).toBe(300);
    for (const seq of [0, 1, 15, 16, 17, 150, 299, 300]) expect(index.at(seq)).toEqual(states[seq]);
    expect(index.at(-5)).toEqual(states[0]);
    expect(index.at(1e9)).toEqual(states[300]);
  });

  it('extends with new frames and keeps seeking exactly', () => {
    const commands: Command[] = Array.from({ length: 100 }, (_, i) => (i % 30 === 29 ? { type: 'back' } : { type: 'step' }));
    const { initial, frames, states } = record(commands);
    let index = new ReplayIndex(initial, frames.slice(0, 37), 8);
    index = index.extend(frames.slice(37, 38)).extend(frames.slice(38));
    expect(index.lastSeq).toBe(100);
    for (let seq = 0; seq <= 100; seq++) expect(index.at(seq)).toEqual(states[seq]);
  });
});

describe('forkLecture', () => {
  it('continues from a snapshot exactly as the lecture itself would', async () => {
    const { forkLecture } = await import('../../shared/lecture/fork.js');
    const commands: Command[] = [{ type: 'forward' }, { type: 'step' }, { type: 'step' }];
    const { states } = record([...commands, { type: 'backward' }, { type: 'update' }]);
    let fork = forkLecture(states[3]);
    for (const c of [{ type: 'backward' }, { type: 'update' }] as Command[]) {
      const d = decide(fork, c, { now: 0, newSeed: () => 3 });
      if (!d.ok) throw new Error(d.error);
      fork = evolve(fork, d.event);
    }
    const { undoDepth, ...got } = toSnapshot(fork);
    const { undoDepth: _u, ...expected } = states[5];
    expect(got).toEqual(expected);
    expect(undoDepth).toBe(2);
  });
});
