/**
 * applyCommand (decide → reveal → evolve → finite check), the sliced training's event, and the
 * event format's rule: the shared pieces LectureRoom and the sandbox both run.
 */
import { describe, expect, it } from 'vitest';
import { createLecture, decide, evolve, type LectureState } from '../../shared/lecture/decider.js';
import { toSnapshot } from '../../shared/lecture/views.js';
import type { PredictionStats } from '../../shared/protocol/collab.js';
import type { Command } from '../../shared/protocol/commands.js';
import { applyCommand, applyEvent, isFiniteNetwork, OVERFLOW_REFUSAL } from '../../shared/lecture/apply.js';
import { EVENT_FORMAT_VERSION, eventFormatProblem } from '../../shared/lecture/event-format.js';
import { LectureTrainer, slicedTrainingEvent, trainLecture, withTrainingResult } from '../../shared/lecture/trainer.js';

const ctx = { now: 1_700_000_000_000, newSeed: () => 4242 };
const start = () => createLecture({ lectureId: 'ABCDEF', title: 'Test', preset: 'notebook', seed: 7, learningRate: 1 });
const STATS: PredictionStats = { count: 2, mean: 0.5, median: 0.5, histogram: { edges: [0, 1], counts: [2] } };

function applyAll(commands: Command[], state = start(), answers?: () => PredictionStats) {
  const events = [];
  for (const command of commands) {
    const applied = applyCommand(state, command, { ...ctx, answers });
    if (!applied.ok) throw new Error(`${command.type}: ${applied.error}`);
    events.push(applied.event);
    state = applied.next;
  }
  return { state, events };
}

describe('applyCommand', () => {
  it('gives the state that deciding and evolving give, and the event that folds to it', () => {
    const commands: Command[] = [
      { type: 'step' },
      { type: 'forward' },
      { type: 'backward' },
      { type: 'update' },
      { type: 'train', epochs: 5 },
      { type: 'setWeight', tensor: 'V', index: [1, 0], value: 0.5 },
      { type: 'back' },
      { type: 'reset', preset: 'random' },
    ];
    const { state, events } = applyAll(commands);
    let byHand = start();
    for (const command of commands) {
      const d = decide(byHand, command, ctx);
      if (!d.ok) throw new Error(d.error);
      byHand = evolve(byHand, d.event);
    }
    expect(toSnapshot(state)).toEqual(toSnapshot(byHand));
    expect(toSnapshot(events.reduce(evolve, start()))).toEqual(toSnapshot(state));
  });

  it('refuses with the decider reason and applies nothing', () => {
    expect(applyCommand(start(), { type: 'back' }, ctx)).toEqual({ ok: false, status: 409, error: 'nothing to undo' });
  });

  it('asks for the class answers only when the event reveals, and the event carries them', () => {
    let asked = 0;
    const answers = () => (asked++, STATS);
    const { state, events } = applyAll([{ type: 'ask', tensor: 'B_act', index: [2] }, { type: 'step' }, { type: 'step' }], start(), answers);
    expect(asked).toBe(0);
    expect(events.every((e) => e.reveal === undefined)).toBe(true);
    const applied = applyCommand(state, { type: 'step' }, { ...ctx, answers });
    if (!applied.ok) throw new Error(applied.error);
    expect(asked).toBe(1);
    expect(applied.event.reveal).toEqual(STATS);
    expect(applied.next.prediction).toMatchObject({ status: 'revealed', stats: STATS });
    // The recorded event replays the reveal without the answers.
    expect(evolve(state, applied.event)).toEqual(applied.next);
  });

  it('reveals without answers in a sandbox (no class): the stats are empty', () => {
    const { state } = applyAll([{ type: 'ask', tensor: 'B', index: [0] }, { type: 'reveal' }]);
    expect(state.prediction).toMatchObject({ status: 'revealed', stats: { count: 0, mean: null, median: null } });
  });

  it('records what a training produced, so folding the event never trains again', () => {
    const s0 = start();
    const applied = applyCommand(s0, { type: 'train', epochs: 20 }, ctx);
    if (!applied.ok) throw new Error(applied.error);
    expect(applied.event.trained!.losses).toHaveLength(20);
    expect(applied.event.trained).toEqual(trainLecture(s0, 20));
    const untrained = decide(s0, { type: 'train', epochs: 20 }, ctx);
    if (!untrained.ok) throw new Error(untrained.error);
    expect(untrained.event.trained).toBeUndefined();
    expect(toSnapshot(evolve(s0, untrained.event))).toEqual(toSnapshot(applied.next));
  });

  it('refuses a command whose numbers overflow', () => {
    const linear = { hidden: [{ units: 4, activation: 'linear' }], output: { units: 1, activation: 'linear' }, loss: 'halfSquaredError', biases: true, batch: 1 } as const;
    const { state } = applyAll([{ type: 'setNetwork', network: linear, preset: 'random', seed: 3 }, { type: 'setLearningRate', value: 100 }]);
    expect(isFiniteNetwork(state.network)).toBe(true);
    expect(applyCommand(state, { type: 'train', epochs: 200 }, ctx)).toEqual(OVERFLOW_REFUSAL);
  });
});

describe('a sliced training', () => {
  it('ends in the event, and the state, that training at once gives', () => {
    const s0: LectureState = applyAll([{ type: 'step' }]).state;
    const decided = decide(s0, { type: 'train', epochs: 7 }, ctx);
    if (!decided.ok) throw new Error(decided.error);
    const trainer = new LectureTrainer(s0);
    // In uneven slices of rows, as the server's are (an epoch of the notebook's data is 8 rows).
    for (const rows of [3, 1, 8, 5, 2, 7, 4, 6, 9, 3, 8]) if (trainer.epochsRun < 7) trainer.runRows(rows);
    while (trainer.epochsRun < 7) trainer.runRows(3);
    const sliced = applyEvent(s0, slicedTrainingEvent(decided.event, trainer, ctx.now + 5), {});
    const atOnce = applyEvent(s0, decided.event, {});
    if (!sliced.ok || !atOnce.ok) throw new Error('refused');
    expect(sliced.event).toEqual({ ...atOnce.event, at: ctx.now + 5 });
    expect(toSnapshot(sliced.next)).toEqual(toSnapshot(atOnce.next));
  });

  it('stopped early records the epochs that ran, not the epochs asked for', () => {
    const s0 = start();
    const decided = decide(s0, { type: 'train', epochs: 100 }, ctx);
    if (!decided.ok) throw new Error(decided.error);
    const trainer = new LectureTrainer(s0);
    trainer.runEpochs(3);
    trainer.runRows(2); // an epoch under way is dropped
    const event = slicedTrainingEvent(decided.event, trainer, ctx.now);
    expect(event.command).toEqual({ type: 'train', epochs: 100, epochsRun: 3 });
    expect(event.trained!.losses).toHaveLength(3);
    expect(() => slicedTrainingEvent({ ...decided.event, command: { type: 'step' } }, trainer, 0)).toThrow(/not a training/);
  });

  it('gives an event that already carries its result back as it is', () => {
    const s0 = start();
    const decided = decide(s0, { type: 'train', epochs: 2 }, ctx);
    if (!decided.ok) throw new Error(decided.error);
    const completed = withTrainingResult(s0, decided.event);
    expect(completed.trained).toEqual(trainLecture(s0, 2));
    expect(withTrainingResult(s0, completed)).toBe(completed);
  });
});

describe('eventFormatProblem', () => {
  const where = { lectureId: 'ABCDEF', seq: 12 };
  it('accepts every format up to this one, and says why it refuses a newer or an unknown one', () => {
    expect(EVENT_FORMAT_VERSION).toBe(1);
    expect(eventFormatProblem(1, where)).toBeNull();
    expect(eventFormatProblem(EVENT_FORMAT_VERSION + 1, where)).toBe(
      `lecture ABCDEF cannot be loaded: its event 12 was written by a newer server (event format ${EVENT_FORMAT_VERSION + 1}), ` +
        `and this server reads event formats up to ${EVENT_FORMAT_VERSION}; upgrade this server to load it (nothing was changed)`,
    );
    for (const odd of [0, -1, 1.5, NaN]) expect(eventFormatProblem(odd, where)).toMatch(/written by an unknown event format/);
  });
});
