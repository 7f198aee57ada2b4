/**
 * The two commands recorded lectures add: `bookmark {label}` (a named chapter mark) and
 * `setNarration {on}` (the console is recording the voice). Both are recorded, neither is undone
 * by `back`, moves the network or ends a pass (so the class's flags, spotlight and question stay).
 */
import { describe, expect, it } from 'vitest';
import { createLecture, decide, evolve, undoDepth, type LectureState } from '../../shared/lecture/decider.js';
import { frameBetween, toSnapshot } from '../../shared/lecture/views.js';
import { cleanLabel, MAX_BOOKMARK_LENGTH, parseCommand } from '../../shared/protocol/commands.js';
import { applyFrame } from '../../shared/protocol/snapshot.js';
import { PROTOTYPE_NAMES } from '../support/hostile.js';

const ctx = { now: 1_700_000_000_000, newSeed: () => 5 };
const start = () => createLecture({ lectureId: 'BOOKMK', title: 't', preset: 'notebook', seed: 0, learningRate: 0.5 });

/** Applies commands as the server does; the client's copy follows by frames. */
function run(inputs: unknown[], from: LectureState = start()) {
  let state = from;
  let client = toSnapshot(state);
  const frames = [];
  for (const input of inputs) {
    const parsed = parseCommand(input);
    if (!parsed.ok) throw new Error(parsed.error);
    const d = decide(state, parsed.value, ctx);
    if (!d.ok) throw new Error(d.error);
    const next = evolve(state, d.event);
    const frame = frameBetween(state, next, d.event);
    client = applyFrame(client, frame);
    frames.push(frame);
    state = next;
  }
  return { state, client, frames };
}

describe('bookmark', () => {
  it('records its label, cleaned, and changes nothing else', () => {
    const before = run([{ type: 'step' }, { type: 'step' }]).state;
    const { state, frames, client } = run([{ type: 'bookmark', label: ' \u202eWhy\u200b the sigmoid?\n ' }], before);
    expect(frames[0].command).toEqual({ type: 'bookmark', label: 'Why the sigmoid?' });
    expect(state.seq).toBe(before.seq + 1);
    expect({ ...state, seq: before.seq }).toEqual(before);
    expect(frames[0].tensors).toEqual({});
    expect(frames[0].cleared).toEqual([]);
    expect(frames[0].flagsCleared).toBeUndefined();
    expect(client).toEqual(toSnapshot(state));
  });

  it('is not undone by back: back undoes the step before it', () => {
    const { state } = run([{ type: 'step' }, { type: 'step' }, { type: 'bookmark', label: 'Here' }, { type: 'back' }]);
    expect(state.network.stage).toBe('input');
    expect(undoDepth(state)).toBe(1);
  });

  it('keeps the question, the spotlight and the flags of the pass', () => {
    const { state, frames } = run([
      { type: 'step' },
      { type: 'ask', tensor: 'C_act', index: [0] },
      { type: 'spotlight', target: { type: 'stage', stage: 'B' } },
      { type: 'bookmark', label: 'Predict ŷ' },
    ]);
    expect(state.prediction?.status).toBe('open');
    expect(state.spotlight).toEqual({ type: 'stage', stage: 'B' });
    expect(frames.at(-1)!.flagsCleared).toBeUndefined();
  });

  it(`takes 1 to ${MAX_BOOKMARK_LENGTH} characters after cleaning, and refuses anything else with a sentence`, () => {
    expect(parseCommand({ type: 'bookmark', label: 'é'.repeat(MAX_BOOKMARK_LENGTH) }).ok).toBe(true);
    expect(parseCommand({ type: 'bookmark', label: '😀'.repeat(MAX_BOOKMARK_LENGTH) }).ok).toBe(true); // characters, not UTF-16 units
    for (const name of PROTOTYPE_NAMES) expect(parseCommand({ type: 'bookmark', label: name })).toEqual({ ok: true, value: { type: 'bookmark', label: name } });
    const refused: [unknown, RegExp][] = [
      [{ type: 'bookmark' }, /label/],
      [{ type: 'bookmark', label: '' }, /at least one visible character/],
      [{ type: 'bookmark', label: ' \n\t\u200b\u202e ' }, /at least one visible character/],
      [{ type: 'bookmark', label: 'x'.repeat(MAX_BOOKMARK_LENGTH + 1) }, /at most 80 characters; it has 81/],
      [{ type: 'bookmark', label: 'x'.repeat(10_000) }, /at most 80 characters/],
      [{ type: 'bookmark', label: 42 }, /label must be a text/],
      [{ type: 'bookmark', label: ['a'] }, /label must be a text/],
      [{ type: 'bookmark', label: 'a', extra: 1 }, /unknown field "extra"/],
      [JSON.parse('{"type":"bookmark","label":"a","__proto__":{"x":1}}'), /unknown field "__proto__"/],
    ];
    for (const [input, message] of refused) {
      const parsed = parseCommand(input);
      expect(parsed.ok, JSON.stringify(input).slice(0, 60)).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(message);
    }
  });

  it('cleanLabel strips what a title may not hold and trims; the zero-width joiner stays', () => {
    expect(cleanLabel('\u0000a\u0007b\u200bc\u2066d\u2069\u2028e\u2029f\ud800g\ufeff ')).toBe('abcdefg');
    expect(cleanLabel('  two  words  ')).toBe('two  words');
    expect(cleanLabel('👩\u200d💻 coding')).toBe('👩\u200d💻 coding');
  });
});

describe('setNarration', () => {
  it('sets the snapshot’s narrating flag; the frame carries it only when it changed', () => {
    const { state, frames, client } = run([{ type: 'setNarration', on: true }, { type: 'step' }, { type: 'setNarration', on: true }, { type: 'setNarration', on: false }]);
    expect(toSnapshot(start()).narrating).toBe(false);
    expect(frames.map((f) => f.narrating)).toEqual([true, undefined, undefined, false]);
    expect(state.narrating).toBe(false);
    expect(client).toEqual(toSnapshot(state));
  });

  it('is not undone by back, and ends no pass', () => {
    const { state, frames } = run([{ type: 'step' }, { type: 'ask', tensor: 'C_act', index: [0] }, { type: 'setNarration', on: true }, { type: 'back' }]);
    expect(state.narrating).toBe(true);
    expect(state.network.stage).toBe('idle');
    expect(frames[2].flagsCleared).toBeUndefined();
    expect(frames[2].tensors).toEqual({});
  });

  it('takes a boolean only', () => {
    for (const on of ['true', 1, null, undefined, {}, '__proto__']) {
      const parsed = parseCommand({ type: 'setNarration', on });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(/on must be true or false/);
    }
  });

  it('a snapshot from before narration (no field) reads as not narrating after a frame', () => {
    const { frames } = run([{ type: 'step' }]);
    const { narrating: _omitted, ...older } = toSnapshot(start());
    expect(applyFrame(older as ReturnType<typeof toSnapshot>, frames[0]).narrating).toBe(false);
  });
});
