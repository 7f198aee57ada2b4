/**
 * Training a lecture's network: the one place a `train` event's result is computed. `evolve`
 * trains here when an event carries no result, the server trains here in slices (so `stop` can
 * reach it), and the registry here for a training recorded before results were stored; all of
 * them hand the result to the decider's one `applyTraining`.
 */
import type { MlpData } from '../engine/mlp/data.js';
import { mlpLayout } from '../engine/mlp/layout.js';
import { MlpTrainer } from '../engine/mlp/train.js';
import type { LectureEvent, LectureState, TrainingResult } from './decider.js';
import { packedData } from './setup.js';

/**
 * Trains the lecture's network. Shared by `evolve` and the server's sliced training, so both
 * compute the same numbers (MlpTrainer continues bit for bit wherever it was stopped): with
 * held-out rows, the test loss is evaluated each time an epoch ends, with that epoch's weights.
 */
export class LectureTrainer {
  private readonly trainer: MlpTrainer;
  private readonly test: MlpData | null;
  private readonly rows: number;
  private rowInEpoch = 0;
  private readonly testLosses: number[] = [];
  private readonly losses: number[] = [];
  /** Mean loss of the last finished epoch, and the test loss after it (null without held-out rows). */
  lastLoss = NaN;
  lastTestLoss: number | null = null;

  constructor(private readonly state: LectureState) {
    this.trainer = new MlpTrainer(state.network);
    this.test = packedData(state.dataset).test;
    this.rows = state.network.data.count;
  }

  get epochsRun(): number {
    return this.trainer.epochsRun;
  }

  runEpochs(epochs: number): void {
    const target = this.epochsRun + epochs;
    if (!this.test && this.rowInEpoch === 0) {
      const losses = this.trainer.runEpochs(epochs);
      for (const l of losses) this.losses.push(l);
      if (losses.length) this.lastLoss = losses[losses.length - 1];
      return;
    }
    while (this.epochsRun < target) this.runRows(this.rows);
  }

  /**
   * Runs at most `rows` more rows, stopping at the end of an epoch (so a slice can be bounded
   * in time however big an epoch is); returns how many ran.
   */
  runRows(rows: number): number {
    const n = Math.max(0, Math.min(rows, this.rows - this.rowInEpoch));
    const closed = this.trainer.runRows(n);
    this.rowInEpoch = (this.rowInEpoch + n) % this.rows;
    if (closed.length) {
      for (const l of closed) this.losses.push(l);
      this.lastLoss = closed[closed.length - 1];
      if (this.test) {
        this.lastTestLoss = this.trainer.evaluate(this.test).loss;
        this.testLosses.push(this.lastTestLoss);
      }
    }
    return n;
  }

  parameterTensors() {
    return this.trainer.parameterTensors();
  }

  /** What the finished epochs produced (an epoch under way is dropped, as `train` always does). */
  result(): TrainingResult {
    // Not finish(): that would append the losses to the lecture's shared history, which
    // applyTraining does, once.
    const tensors = this.trainer.boundaryTensors();
    const params: Record<string, readonly number[]> = {};
    for (const name of mlpLayout(this.state.network.config).parameters) params[name] = tensors[name].data;
    return { params, losses: Float64Array.from(this.losses), testLosses: Float64Array.from(this.testLosses) };
  }
}

/** Trains `epochs` whole epochs at once: what a `train` event that carries no result produced. */
export function trainLecture(state: LectureState, epochs: number): TrainingResult {
  const trainer = new LectureTrainer(state);
  trainer.runEpochs(epochs);
  return trainer.result();
}

/**
 * The event with what its training produced: a `train` event without a result gets one, trained
 * here from the state it applies to (any other event is returned as it is). So an event that is
 * stored, or applied by `applyEvent`, carries its result, and no later fold trains again.
 */
export function withTrainingResult<E extends LectureEvent>(state: LectureState, event: E): E {
  if (event.command.type !== 'train' || event.trained) return event;
  return { ...event, trained: trainLecture(state, event.command.epochsRun) };
}

/**
 * The `train` event a sliced training ended with: the decided event (its seq and the epochs
 * asked for) with the epochs that ran and what they produced, at the time it ended. `evolve`
 * applies it like any other `train`, so training in slices computes the next state the same way.
 */
export function slicedTrainingEvent(decided: LectureEvent, trainer: LectureTrainer, at: number): LectureEvent {
  if (decided.command.type !== 'train') throw new Error(`a ${decided.command.type} event is not a training`);
  return { ...decided, at, command: { ...decided.command, epochsRun: trainer.epochsRun }, trained: trainer.result() };
}
