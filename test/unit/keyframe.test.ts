/**
 * Keyframes: a state read back from its bytes is the state the fold of its events makes, bit for
 * bit (its bytes again, its snapshot, its exports) and behaves as it does for every later command,
 * `back` down the whole undo stack included; a keyframe that is not one this code wrote is refused.
 */
import { describe, expect, it } from 'vitest';
import { createLecture, evolve, undoDepth, type LectureEvent, type LectureState } from '../../shared/lecture/decider.js';
import { toSnapshot } from '../../shared/lecture/views.js';
import type { PredictionStats } from '../../shared/protocol/collab.js';
import { parseCommand } from '../../shared/protocol/commands.js';
import { applyCommand } from '../../shared/lecture/apply.js';
import { frameBetween } from '../../shared/lecture/views.js';
import { decodeKeyframe, encodeKeyframe, KEYFRAME_FORMAT, keyframeReadable } from '../../shared/lecture/keyframe.js';
import { KeyframeError } from '../../shared/lecture/keyframe-bytes.js';
import { EVENT_FORMAT_VERSION } from '../../shared/lecture/event-format.js';
import { lossCsv, weightsJson } from '../../shared/export/weights.js';

const STATS: PredictionStats = { count: 3, mean: 0.25, median: 0.125, histogram: { edges: [0, 0.1, 0.7], counts: [2, 1] } };
let now = 1_700_000_000_000;
const ctx = () => ({ now: now++, newSeed: () => 4242, answers: () => STATS });

/** Applies raw commands as the server does (parsed, decided, evolved), keeping the events. */
function run(state: LectureState, raw: readonly unknown[], events: LectureEvent[] = []): LectureState {
  for (const r of raw) {
    const parsed = parseCommand(r);
    if (!parsed.ok) throw new Error(parsed.error);
    const applied = applyCommand(state, parsed.value, ctx());
    if (!applied.ok) throw new Error(`${JSON.stringify(r)}: ${applied.error}`);
    events.push(applied.event);
    state = applied.next;
  }
  return state;
}

/** Events as a store gives them back: JSON texts parsed, the training's losses as float64 arrays. */
function stored(event: LectureEvent): LectureEvent {
  const { trained, ...rest } = event;
  const copy = JSON.parse(JSON.stringify(rest)) as LectureEvent;
  if (!trained) return copy;
  const params = JSON.parse(JSON.stringify(trained.params, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)));
  return { ...copy, trained: { params, losses: Float64Array.from(trained.losses), testLosses: Float64Array.from(trained.testLosses) } };
}

const steps = (n: number) => Array.from({ length: n }, () => ({ type: 'step' }));

const exports = (s: LectureState) => JSON.stringify([weightsJson(s.lectureId, s.seq, s.network), lossCsv(s.network.lossHistory, s.testLoss)]);

/** Sends the same commands to both states and expects the same frames, snapshots and exports after each. */
function expectSameFuture(a: LectureState, b: LectureState, raw: readonly unknown[]): [LectureState, LectureState] {
  for (const r of raw) {
    const parsed = parseCommand(r);
    if (!parsed.ok) throw new Error(parsed.error);
    const t = now++;
    const nextA = applyCommand(a, parsed.value, { now: t, newSeed: () => 99, answers: () => STATS });
    const nextB = applyCommand(b, parsed.value, { now: t, newSeed: () => 99, answers: () => STATS });
    expect(nextB.ok).toBe(nextA.ok);
    if (!nextA.ok || !nextB.ok) continue;
    expect(JSON.stringify(frameBetween(b, nextB.next, nextB.event))).toBe(JSON.stringify(frameBetween(a, nextA.next, nextA.event)));
    [a, b] = [nextA.next, nextB.next];
    expect(JSON.stringify(toSnapshot(b))).toBe(JSON.stringify(toSnapshot(a)));
    expect(exports(b)).toBe(exports(a));
  }
  return [a, b];
}

/** Goes `back` on both until nothing is left to undo, comparing every frame and snapshot. */
function backToTheBottom(a: LectureState, b: LectureState): void {
  const depth = undoDepth(a);
  expect(undoDepth(b)).toBe(depth);
  [a, b] = expectSameFuture(a, b, Array.from({ length: depth }, () => ({ type: 'back' })));
  expect(undoDepth(a)).toBe(0);
  expect(undoDepth(b)).toBe(0);
  expect(Buffer.from(encodeKeyframe(b)).equals(Buffer.from(encodeKeyframe(a)))).toBe(true);
}

/** The live state, its events folded from the start, and the state its keyframe decodes to. */
function threeWays(start: LectureState, raw: readonly unknown[]) {
  const events: LectureEvent[] = [];
  const live = run(start, raw, events);
  const folded = events.map(stored).reduce(evolve, start);
  const bytes = encodeKeyframe(folded);
  return { live, folded, bytes, loaded: decodeKeyframe(bytes) };
}

const notebook = () => createLecture({ lectureId: 'ABCDEF', title: 'Notebook ✓', preset: 'notebook', seed: 0, learningRate: 1 });
const NOTEBOOK_SCRIPT: unknown[] = [
  { type: 'ask', tensor: 'C_act', index: [0] },
  ...steps(12),
  { type: 'spotlight', target: { type: 'element', tensor: 'W', index: [1, 2] } },
  { type: 'train', epochs: 500 },
  { type: 'setWeight', tensor: 'V', index: [2, 0], value: -0.75 },
  ...steps(20),
  { type: 'back' },
  { type: 'back' },
  { type: 'setLearningRate', value: 0.3 },
  { type: 'train', epochs: 300 },
  { type: 'back' },
  { type: 'train', epochs: 200 },
  { type: 'setPacing', mode: 'follow' },
  { type: 'ask', tensor: 'B_act', index: [1] },
  { type: 'reveal' },
  ...steps(3),
  { type: 'selectSample', index: 3 },
  ...steps(4),
  { type: 'setErrata', on: true },
  { type: 'bookmark', label: 'Second sample' },
  { type: 'setNarration', on: true },
];

const spiral = () => createLecture({ lectureId: 'SPIRAL', title: 'Spiral', preset: 'random', seed: 5, learningRate: 0.1 });
const SPIRAL_SCRIPT: unknown[] = [
  { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 200, noise: 0.1, trainFraction: 0.8, seed: 3 }, seed: 11 },
  { type: 'setNetwork', network: { hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], biases: true, batch: 10 }, seed: 12 },
  ...steps(30),
  { type: 'train', epochs: 40 },
  ...steps(12),
  { type: 'back' },
  { type: 'train', epochs: 25 },
  { type: 'back' },
  { type: 'back' },
  { type: 'train', epochs: 10 },
  { type: 'reset', preset: 'random', seed: 77 },
  ...steps(9),
  { type: 'train', epochs: 15 },
  ...steps(3),
];

describe.each([
  ['the notebook network', notebook, NOTEBOOK_SCRIPT],
  ['a 2-8-8-1 spiral lecture', spiral, SPIRAL_SCRIPT],
] as const)('a keyframe of %s', (_name, start, script) => {
  it('is the state folding its events from the start makes, bit for bit', () => {
    const { live, folded, bytes, loaded } = threeWays(start(), script);
    expect(Buffer.from(encodeKeyframe(live)).equals(Buffer.from(bytes))).toBe(true);
    expect(Buffer.from(encodeKeyframe(loaded)).equals(Buffer.from(bytes))).toBe(true);
    expect(JSON.stringify(toSnapshot(loaded))).toBe(JSON.stringify(toSnapshot(folded)));
    expect(exports(loaded)).toBe(exports(folded));
    expect(undoDepth(loaded)).toBe(undoDepth(folded));
    expect(undoDepth(loaded)).toBeGreaterThan(40);
  });

  it('behaves as the folded state for every later command, back down the whole stack included', () => {
    const { folded, loaded } = threeWays(start(), script);
    const [a, b] = expectSameFuture(folded, loaded, [...steps(6), { type: 'train', epochs: 20 }, { type: 'back' }, ...steps(2)]);
    backToTheBottom(a, b);
  });

  it('shares what the states share: tensors by reference, one buffer for the loss history', () => {
    const { folded, loaded } = threeWays(start(), script);
    const below = loaded.undo!.saved.network;
    const foldedBelow = folded.undo!.saved.network;
    for (const name of Object.keys(foldedBelow.tensors)) {
      expect(below.tensors[name] === loaded.network.tensors[name]).toBe(foldedBelow.tensors[name] === folded.network.tensors[name]);
    }
    expect(below.config === loaded.network.config).toBe(foldedBelow.config === folded.network.config);
    expect(loaded.undo!.saved.dataset === loaded.dataset).toBe(folded.undo!.saved.dataset === folded.dataset);
    expect(below.lossHistory.view().buffer === loaded.network.lossHistory.view().buffer).toBe(true);
  });
});

describe('a keyframe this code did not write', () => {
  const { bytes } = threeWays(notebook(), NOTEBOOK_SCRIPT.slice(0, 20));

  it('is readable only in this layout and event format', () => {
    expect(keyframeReadable(KEYFRAME_FORMAT, EVENT_FORMAT_VERSION)).toBe(true);
    expect(keyframeReadable(KEYFRAME_FORMAT + 1, EVENT_FORMAT_VERSION)).toBe(false);
    expect(keyframeReadable(KEYFRAME_FORMAT, EVENT_FORMAT_VERSION + 1)).toBe(false);
  });

  it('is refused when its layout number is another', () => {
    const other = bytes.slice();
    new DataView(other.buffer).setUint32(4, KEYFRAME_FORMAT + 1, true);
    expect(() => decodeKeyframe(other)).toThrow(KeyframeError);
  });

  it('is refused when it is cut short, altered anywhere or not a keyframe at all', () => {
    expect(() => decodeKeyframe(bytes.subarray(0, bytes.length - 4))).toThrow(KeyframeError);
    expect(() => decodeKeyframe(new Uint8Array(3))).toThrow(KeyframeError);
    expect(() => decodeKeyframe(new TextEncoder().encode('{"seq": 3, "network": {}}'))).toThrow(KeyframeError);
    for (const at of [20, Math.floor(bytes.length / 2), bytes.length - 1]) {
      const altered = bytes.slice();
      altered[at] ^= 0x10;
      expect(() => decodeKeyframe(altered)).toThrow(KeyframeError);
    }
  });
});
