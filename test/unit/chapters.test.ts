/**
 * A recording's chapters, named as people say them: every recorded command kind has a rule
 * (its own chapter, the pass's, or the chapter under way), checked here on recordings the real
 * decider made, so a new command kind without a rule fails.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCommand } from '../../shared/lecture/apply.js';
import { CHAPTER_RULES, chaptersOf, type Chapter, type ChapterEvent } from '../../shared/lecture/chapters.js';
import { createLecture, evolve, type LectureState } from '../../shared/lecture/decider.js';
import { frameBetween, toSnapshot } from '../../shared/lecture/views.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import { NOTEBOOK_MLP_CONFIG } from '../../shared/engine/mlp/config.js';
import { COMMAND_TYPES, parseCommand, type RecordedCommand } from '../../shared/protocol/commands.js';
import type { PredictionStats } from '../../shared/protocol/collab.js';

const STAGES_PER_PASS = mlpLayout(NOTEBOOK_MLP_CONFIG).stages.length;
const answers = (count: number): PredictionStats => ({ count, mean: count ? 0.5 : null, median: count ? 0.5 : null, histogram: { edges: [], counts: [] } });

/** A lecture driven by the real decider: each command applied (with `answerCount` answers for a reveal), its event and frame kept. */
function record(commands: readonly unknown[], answerCount = 12) {
  let state: LectureState = createLecture({ lectureId: 'CHAPTR', title: 't', preset: 'notebook', seed: 0, learningRate: 0.5 });
  const initial = toSnapshot(state);
  const events: ChapterEvent[] = [];
  commands.forEach((input, i) => {
    const parsed = parseCommand(input);
    if (!parsed.ok) throw new Error(parsed.error);
    const applied = applyCommand(state, parsed.value, { now: 1_000 + i * 1_000, newSeed: () => 7, answers: () => answers(answerCount) });
    if (!applied.ok) throw new Error(`${JSON.stringify(input)}: ${applied.error}`);
    events.push({ seq: applied.event.seq, at: applied.event.at, command: applied.event.command, frame: frameBetween(state, applied.next, applied.event) });
    state = applied.next;
  });
  return { events, chapters: chaptersOf(events, initial), initial };
}

const steps = (n: number) => Array.from({ length: n }, () => ({ type: 'step' }));
const titles = (chapters: readonly Chapter[]) => chapters.map((c) => c.title);

describe('chapters of a pass', () => {
  it('a pass stepped through is three chapters (forward, backward, update), and the next pass begins another', () => {
    const { chapters } = record(steps(STAGES_PER_PASS + 2));
    expect(titles(chapters)).toEqual(['Forward pass, sample 0', 'Backward pass, sample 0', 'Update, sample 0', 'Forward pass, sample 1']);
    expect(chapters.map((c) => c.kind)).toEqual(['forward', 'backward', 'update', 'forward']);
    expect(chapters[0]).toEqual({ seq: 1, at: 1_000, title: 'Forward pass, sample 0', kind: 'forward' });
    // Each begins at the step that entered it: input (1), the first backward stage (after L), update, the next input.
    const layout = mlpLayout(NOTEBOOK_MLP_CONFIG);
    const firstBackward = layout.stages.findIndex((s) => s.phase === 'backward') + 1;
    expect(chapters.map((c) => c.seq)).toEqual([1, firstBackward, STAGES_PER_PASS, STAGES_PER_PASS + 1]);
    expect(chapters.map((c) => c.at)).toEqual(chapters.map((c) => 1_000 + (c.seq - 1) * 1_000));
  });

  it('forward, backward and update commands are a chapter each', () => {
    const { chapters } = record([{ type: 'forward' }, { type: 'backward' }, { type: 'update' }, { type: 'forward' }]);
    expect(titles(chapters)).toEqual(['Forward pass, sample 0', 'Backward pass, sample 0', 'Update, sample 0', 'Forward pass, sample 1']);
  });

  it('four samples stepped through are twelve chapters, not one per event (84 events) nor one', () => {
    const { events, chapters } = record(steps(STAGES_PER_PASS * 4));
    expect(events.length).toBe(STAGES_PER_PASS * 4);
    expect(chapters.length).toBe(12);
    expect(chapters[9].title).toBe('Forward pass, sample 3');
  });

  it('a row chosen again in its epoch is its pass again; the next epoch’s pass of it, or one after new weights, is new', () => {
    const again = record([...steps(STAGES_PER_PASS), { type: 'selectSample', index: 0 }, ...steps(2)]);
    expect(titles(again.chapters)).toEqual(['Forward pass, sample 0', 'Backward pass, sample 0', 'Update, sample 0', 'Forward pass, sample 0, again']);
    const rows = 8; // the notebook's truth table
    const nextEpoch = record(steps(STAGES_PER_PASS * rows + 1));
    expect(nextEpoch.chapters.length).toBe(3 * rows + 1);
    expect(nextEpoch.chapters.at(-1)!.title).toBe('Forward pass, sample 0');
    expect(nextEpoch.events.at(-1)!.frame.epoch).toBe(1);
    const afterReset = record([...steps(2), { type: 'reset' }, ...steps(2)]);
    expect(titles(afterReset.chapters)).toEqual(['Forward pass, sample 0', 'Reset: notebook weights', 'Forward pass, sample 0']);
  });

  it('undoing the first step of a pass and stepping again stays in its chapter', () => {
    const { chapters } = record([{ type: 'step' }, { type: 'back' }, { type: 'step' }, { type: 'step' }]);
    expect(titles(chapters)).toEqual(['Forward pass, sample 0']);
  });

  it('back joins the chapter under way; stepping on again in another phase begins one, titled as a phase seen again', () => {
    const layout = mlpLayout(NOTEBOOK_MLP_CONFIG);
    const forwardStages = layout.stages.filter((s) => s.phase === 'forward').length;
    // Into the backward pass by one stage, back twice (into the forward pass), on again twice.
    const { chapters } = record([...steps(forwardStages + 1), { type: 'back' }, { type: 'back' }, ...steps(2)]);
    expect(titles(chapters)).toEqual(['Forward pass, sample 0', 'Backward pass, sample 0', 'Forward pass, sample 0, again', 'Backward pass, sample 0, again']);
    expect(chapters.map((c) => c.seq)).toEqual([1, forwardStages + 1, forwardStages + 4, forwardStages + 5]);
    // Steps and backs within one phase stay in its chapter.
    const within = record([...steps(3), { type: 'back' }, ...steps(2)]);
    expect(titles(within.chapters)).toEqual(['Forward pass, sample 0']);
  });

  it('a batched network names its batch; a full batch says so', () => {
    const batched = record([{ type: 'setNetwork', network: { hidden: [{ units: 3, activation: 'tanh' }], batch: 2 }, seed: 1 }, { type: 'forward' }]);
    expect(titles(batched.chapters)).toEqual(['Network: 3-3-1 tanh on the notebook\'s truth table', 'Forward pass, batch from sample 0']);
    const full = record([{ type: 'setNetwork', network: { hidden: [{ units: 3, activation: 'relu' }], batch: 'full' }, seed: 1 }, { type: 'forward' }, { type: 'backward' }]);
    expect(titles(full.chapters).slice(1)).toEqual(['Forward pass, full batch', 'Backward pass, full batch']);
  });
});

describe('chapters of their own', () => {
  it('a training is titled with its epochs and the loss it reached', () => {
    const { chapters, events } = record([{ type: 'train', epochs: 500 }, { type: 'train', epochs: 1 }]);
    const loss = events[0].frame.loss.append.at(-1)!;
    expect(loss).toBeGreaterThan(0);
    expect(chapters[0]).toMatchObject({ seq: 1, kind: 'train', title: `Train 500 epochs (loss ${Number(loss.toPrecision(2))})` });
    expect(chapters[1].title).toMatch(/^Train 1 epoch \(loss 0\.\d+\)$/);
  });

  it('a stopped training says how far it ran', () => {
    const state = createLecture({ lectureId: 'CHAPTR', title: 't', preset: 'notebook', seed: 0, learningRate: 0.5 });
    const initial = toSnapshot(state);
    const chapterOfTraining = (epochsRun: number) => {
      const event = { seq: 1, at: 5, command: { type: 'train', epochs: 10_000, epochsRun } as RecordedCommand };
      const next = evolve(state, event);
      return chaptersOf([{ ...event, frame: frameBetween(state, next, event) }], initial)[0].title;
    };
    expect(chapterOfTraining(120)).toMatch(/^Train 10,000 epochs, stopped after 120 \(loss 0\.\d+\)$/);
    expect(chapterOfTraining(0)).toBe('Train 10,000 epochs, stopped at once');
  });

  it('a new network is named by its shape and activations on its data; a new dataset by its label; a reset by its weights', () => {
    const { chapters } = record([
      { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 40, noise: 0.1, trainFraction: 0.8, seed: 3 }, seed: 2 },
      { type: 'setNetwork', network: { hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], biases: true }, seed: 4 },
      { type: 'setNetwork', network: { hidden: [{ units: 8, activation: 'relu' }, { units: 4, activation: 'tanh' }] }, seed: 4 },
      { type: 'reset', preset: 'random', seed: 9 },
      { type: 'setDataset', dataset: { kind: 'truthTable', table: 'notebook' } },
      { type: 'reset' },
    ]);
    expect(titles(chapters)).toEqual([
      'Dataset: spiral (40 points, noise 0.1)',
      'Network: 2-8-8-1 tanh on spiral',
      'Network: 2-8-4-1 relu, tanh on spiral',
      'Reset: random weights, seed 9',
      "Dataset: the notebook's truth table",
      // A reset keeps the preset (random here); its seed is the one the server drew.
      'Reset: random weights, seed 7',
    ]);
    expect(chapters.map((c) => c.kind)).toEqual(['dataset', 'network', 'network', 'reset', 'dataset', 'reset']);
    expect(titles(record([{ type: 'reset' }]).chapters)).toEqual(['Reset: notebook weights']);
  });

  it('a bookmark is a chapter by its label, wherever it falls, and the pass it interrupted continues after it', () => {
    const { chapters } = record([...steps(2), { type: 'bookmark', label: '  Why sigmoid?\u200b ' }, ...steps(2)]);
    expect(chapters.map(({ seq, title, kind }) => ({ seq, title, kind }))).toEqual([
      { seq: 1, title: 'Forward pass, sample 0', kind: 'forward' },
      { seq: 3, title: 'Why sigmoid?', kind: 'bookmark' },
      { seq: 4, title: 'Forward pass, sample 0, continued', kind: 'forward' },
    ]);
  });
});

describe('a question', () => {
  it('runs from its ask to its reveal, steps included, and counts the answers; the pass continues after it', () => {
    const { chapters } = record([...steps(2), { type: 'ask', tensor: 'C_act', index: [0] }, ...steps(3), ...steps(1)]);
    // Stages: input, B, B_act, C, C_act (reveals: the 3 steps after the ask), then L.
    expect(chapters.map(({ seq, title, kind }) => ({ seq, title, kind }))).toEqual([
      { seq: 1, title: 'Forward pass, sample 0', kind: 'forward' },
      { seq: 3, title: 'Question: C_act (12 answers)', kind: 'question' },
      { seq: 7, title: 'Forward pass, sample 0, continued', kind: 'forward' },
    ]);
  });

  it('an early reveal counts its answers (one, none) and names an element by its index', () => {
    expect(titles(record([{ type: 'ask', tensor: 'B_act', index: [2] }, { type: 'reveal' }], 1).chapters)).toEqual(['Question: B_act[3] (1 answer)']);
    expect(titles(record([{ type: 'ask', tensor: 'W', index: [1, 2] }, { type: 'reveal' }], 0).chapters)).toEqual(['Question: W[2,3] (no answers)']);
  });

  it('one ended without a reveal keeps its plain title', () => {
    const { chapters } = record([{ type: 'ask', tensor: 'C_act', index: [0] }, { type: 'train', epochs: 2 }, { type: 'step' }]);
    expect(titles(chapters)).toEqual(['Question: C_act', expect.stringMatching(/^Train 2 epochs/), 'Forward pass, sample 0']);
  });
});

describe('every recorded command kind has a rule', () => {
  it('the rules name exactly the recorded kinds (every command but stop, which is recorded as epochsRun)', () => {
    expect(Object.keys(CHAPTER_RULES).sort()).toEqual(COMMAND_TYPES.filter((t) => t !== 'stop').sort());
  });

  // One recording with every kind: each event's rule is checked against the chapters it produced.
  const EVERY_KIND: unknown[] = [
    { type: 'setPacing', mode: 'follow' },
    { type: 'setLearningRate', value: 0.3 },
    ...steps(2),
    { type: 'setWeight', tensor: 'W', index: [0, 0], value: 0.25 },
    { type: 'spotlight', target: { type: 'stage', stage: 'B_act' } },
    { type: 'clearFlags' },
    { type: 'setNarration', on: true },
    { type: 'ask', tensor: 'C_act', index: [0] },
    { type: 'reveal' },
    { type: 'setErrata', on: true },
    { type: 'back' },
    { type: 'forward' },
    { type: 'backward' },
    { type: 'update' },
    { type: 'selectSample', index: 2 },
    { type: 'bookmark', label: 'Training' },
    { type: 'train', epochs: 3 },
    { type: 'reset', preset: 'random', seed: 3 },
    { type: 'setDataset', dataset: { kind: 'truthTable', table: 'xor' }, seed: 1 },
    { type: 'setNetwork', network: { hidden: [{ units: 2, activation: 'tanh' }] }, seed: 2 },
    { type: 'setNarration', on: false },
  ];

  it('the recording holds every kind', () => {
    const kinds = new Set(record(EVERY_KIND).events.map((e) => e.command.type));
    expect([...kinds].sort()).toEqual(Object.keys(CHAPTER_RULES).sort());
  });

  it('an own kind begins a chapter at its event; a joining kind never does (but the first); a pass kind does when the pass or its phase changed', () => {
    const { events, chapters } = record(EVERY_KIND);
    const begins = new Map(chapters.map((c) => [c.seq, c]));
    // The first settings open the first pass's chapter.
    expect(begins.get(1)).toMatchObject({ title: 'Forward pass, sample 0', kind: 'forward' });
    for (const event of events.slice(1)) {
      const rule = CHAPTER_RULES[event.command.type];
      if (rule === 'own') expect(begins.has(event.seq), event.command.type).toBe(true);
      if (rule === 'joins') expect(begins.has(event.seq), event.command.type).toBe(false);
    }
    expect(titles(chapters)).toEqual([
      'Forward pass, sample 0',
      'Question: C_act (12 answers)',
      // `back` (after the reveal) joined the question; forward from there runs on in the same pass.
      'Forward pass, sample 0, continued',
      'Backward pass, sample 0',
      'Update, sample 0',
      'Training',
      expect.stringMatching(/^Train 3 epochs \(loss /),
      'Reset: random weights, seed 3',
      'Dataset: XOR (2 inputs)',
      'Network: 2-2-1 tanh on XOR (2 inputs)',
    ]);
  });
});

describe('any recording', () => {
  const command = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom({ type: 'step' }, { type: 'forward' }, { type: 'backward' }, { type: 'update' }, { type: 'back' }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('train'), epochs: fc.integer({ min: 1, max: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('selectSample'), index: fc.integer({ min: 0, max: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('ask'), tensor: fc.constantFrom('C_act', 'B', 'L', 'dL_dW', 'W'), index: fc.constant([0]) }) },
    { weight: 1, arbitrary: fc.constant({ type: 'reveal' }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('bookmark'), label: fc.string({ minLength: 1, maxLength: 10 }) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('setNarration'), on: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('setNetwork'), network: fc.constant({ hidden: [{ units: 2, activation: 'relu' }], batch: 2 }), seed: fc.constant(1) }) },
  );

  it('has chapters in order, each at an event, the first at the first event, every own kind beginning one, none untitled', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 40 }), (inputs) => {
        let state: LectureState = createLecture({ lectureId: 'CHAPTR', title: 't', preset: 'notebook', seed: 0, learningRate: 0.5 });
        const initial = toSnapshot(state);
        const events: ChapterEvent[] = [];
        for (const input of inputs) {
          const parsed = parseCommand(input);
          if (!parsed.ok) continue;
          const applied = applyCommand(state, parsed.value, { now: events.length, newSeed: () => 1, answers: () => answers(2) });
          if (!applied.ok) continue;
          events.push({ seq: applied.event.seq, at: applied.event.at, command: applied.event.command, frame: frameBetween(state, applied.next, applied.event) });
          state = applied.next;
        }
        const chapters = chaptersOf(events, initial);
        if (events.length === 0) {
          expect(chapters).toEqual([]);
          return;
        }
        expect(chapters[0].seq).toBe(events[0].seq);
        const seqs = new Set(events.map((e) => e.seq));
        for (let i = 0; i < chapters.length; i++) {
          expect(seqs.has(chapters[i].seq)).toBe(true);
          if (i > 0) expect(chapters[i].seq).toBeGreaterThan(chapters[i - 1].seq);
          expect(chapters[i].title.trim().length).toBeGreaterThan(0);
        }
        const starts = new Set(chapters.map((c) => c.seq));
        // (The first event that joins nothing takes the lecture's first settings into its chapter, which begins at the first event.)
        const firstOfItsOwn = events.find((e) => CHAPTER_RULES[e.command.type] !== 'joins');
        for (const e of events) if (CHAPTER_RULES[e.command.type] === 'own' && e !== firstOfItsOwn) expect(starts.has(e.seq)).toBe(true);
        expect(chapters.length).toBeLessThanOrEqual(events.length);
      }),
      { numRuns: 200, seed: 16 },
    );
  });

  it('settings before anything else open the first chapter; a lecture of settings only is one "Lecture start"', () => {
    const { chapters } = record([{ type: 'setNarration', on: true }, { type: 'setLearningRate', value: 0.1 }, { type: 'train', epochs: 2 }, { type: 'step' }]);
    expect(chapters.map(({ seq, kind }) => ({ seq, kind }))).toEqual([
      { seq: 1, kind: 'train' },
      { seq: 4, kind: 'forward' },
    ]);
    expect(record([{ type: 'setPacing', mode: 'follow' }, { type: 'setNarration', on: true }]).chapters).toEqual([{ seq: 1, at: 1_000, title: 'Lecture start', kind: 'start' }]);
  });

  it('none without events', () => {
    expect(chaptersOf([], record([]).initial)).toEqual([]);
  });
});
