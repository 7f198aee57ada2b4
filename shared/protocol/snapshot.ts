import type { Preset, Stage, Tensor, TensorName } from '../engine/index.js';
import type { RecordedCommand } from './commands.js';
import type { Pacing, Prediction } from './collab.js';

export type TensorMap = Partial<Record<TensorName, Tensor>>;

export interface TrainingStatus {
  readonly epochsDone: number;
  readonly epochsTotal: number;
}

/** Everything a client needs to show a lecture at one moment: sent to joiners and on gaps. */
export interface Snapshot {
  readonly lectureId: string;
  readonly title: string;
  /** Applied commands so far (0 for a new lecture). */
  readonly seq: number;
  readonly stage: Stage;
  readonly sampleIndex: number;
  readonly epoch: number;
  readonly learningRate: number;
  readonly preset: Preset;
  readonly seed: number;
  readonly tensors: TensorMap;
  /**
   * Mean loss per finished epoch: exact while there are at most LOSS_POINTS epochs; beyond that
   * each entry is the mean of `lossStride` consecutive epochs (see loss-series.ts).
   */
  readonly lossHistory: readonly number[];
  /** Epochs per lossHistory entry (1 until the history outgrows LOSS_POINTS). */
  readonly lossStride: number;
  /** Finished epochs with a recorded loss (the exact history's length). */
  readonly lossCount: number;
  /** How many commands `back` can still undo. */
  readonly undoDepth: number;
  /** Set while a `train` command runs. */
  readonly training: TrainingStatus | null;
  /** `follow`: students stay on live; `free`: they may rewind privately and try things in a sandbox. */
  readonly pacing: Pacing;
  /** The current prediction question, open or revealed; null before the first `ask`. */
  readonly prediction: Prediction | null;
}

/**
 * What one applied command changed: enough for a client holding the state at `seq − 1`
 * to hold exactly the state at `seq`, without the whole state resent.
 */
export interface Frame {
  readonly seq: number;
  /** Server time the command was applied, ms since the epoch. */
  readonly at: number;
  readonly command: RecordedCommand;
  readonly stage: Stage;
  readonly sampleIndex: number;
  readonly epoch: number;
  readonly learningRate: number;
  readonly preset: Preset;
  readonly seed: number;
  readonly undoDepth: number;
  /** Tensors this command computed or changed. */
  readonly tensors: TensorMap;
  /** Tensors this command removed (a new pass, a reset, an undo). */
  readonly cleared: readonly TensorName[];
  /**
   * The loss history becomes its first `keep` entries followed by `append`, with the stride and
   * count given (a changed stride resends the whole series, at most LOSS_POINTS numbers).
   */
  readonly loss: { readonly keep: number; readonly append: readonly number[]; readonly stride: number; readonly count: number };
  /** Present when the command changed the pacing. */
  readonly pacing?: Pacing;
  /** Present when the command changed the prediction (asked, revealed). */
  readonly prediction?: Prediction | null;
}

/** Applies a frame to the snapshot it follows. Throws on a gap so the caller resynchronises. */
export function applyFrame(s: Snapshot, f: Frame): Snapshot {
  if (f.seq !== s.seq + 1) throw new RangeError(`frame ${f.seq} does not follow seq ${s.seq}`);
  const tensors: TensorMap = { ...s.tensors };
  for (const name of f.cleared) delete tensors[name];
  Object.assign(tensors, f.tensors);
  const lossHistory =
    f.loss.keep === s.lossHistory.length && f.loss.append.length === 0
      ? s.lossHistory
      : [...s.lossHistory.slice(0, f.loss.keep), ...f.loss.append];
  return {
    ...s,
    seq: f.seq,
    stage: f.stage,
    sampleIndex: f.sampleIndex,
    epoch: f.epoch,
    learningRate: f.learningRate,
    preset: f.preset,
    seed: f.seed,
    undoDepth: f.undoDepth,
    tensors,
    lossHistory,
    lossStride: f.loss.stride,
    lossCount: f.loss.count,
    training: null,
    pacing: f.pacing ?? s.pacing,
    prediction: f.prediction !== undefined ? f.prediction : s.prediction,
  };
}
