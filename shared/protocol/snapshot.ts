import type { Preset } from '../engine/mlp/init.js';
import type { Tensor } from '../engine/tensor.js';
import type { MlpConfig } from '../engine/mlp/config.js';
import type { DatasetSpec } from '../datasets/spec.js';
import type { RecordedCommand } from './commands.js';
import type { Pacing, Prediction, SpotlightTarget } from './collab.js';

/** Tensors by name: the names of mlpLayout(network).tensorNames (the notebook's A, W, B, … for its network). */
export type TensorMap = Readonly<Record<string, Tensor>>;

export interface TrainingStatus {
  readonly epochsDone: number;
  readonly epochsTotal: number;
  /** While the training waits for the server to have room for it: how many trainings are ahead. */
  readonly queued?: number;
}

/** Everything a client needs to show a lecture at one moment: sent to joiners and on gaps. */
export interface Snapshot {
  readonly lectureId: string;
  readonly title: string;
  /** Applied commands so far (0 for a new lecture). */
  readonly seq: number;
  /** The architecture; its layout (mlpLayout) names the stages and tensors. */
  readonly network: MlpConfig;
  /** The data the network learns from (makeDataset makes the rows). */
  readonly dataset: DatasetSpec;
  /** 'idle' or a stage of mlpLayout(network).stages. */
  readonly stage: string;
  /** The row the pass uses (the first row of its batch). */
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
  /**
   * Mean loss on the held-out test rows after each finished epoch, in the same series as
   * lossHistory (same stride and count); empty when the dataset holds no rows out.
   */
  readonly testLossHistory: readonly number[];
  /** How many commands `back` can still undo. */
  readonly undoDepth: number;
  /** Set while a `train` command runs. */
  readonly training: TrainingStatus | null;
  /** `follow`: students stay on live; `free`: they may rewind privately and try things in a sandbox. */
  readonly pacing: Pacing;
  /** The current prediction question, open or revealed; null before the first `ask`. */
  readonly prediction: Prediction | null;
  /** What the instructor points the class at; null when nothing is. */
  readonly spotlight: SpotlightTarget | null;
  /** Whether the teaching notebook's mistakes are shown beside the correct equations (notebook network only). */
  readonly errata: boolean;
  /** Whether the instructor is recording narration now: students see "🎙 recording". */
  readonly narrating: boolean;
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
  readonly stage: string;
  readonly sampleIndex: number;
  readonly epoch: number;
  readonly learningRate: number;
  readonly preset: Preset;
  readonly seed: number;
  readonly undoDepth: number;
  /** Tensors this command computed or changed. */
  readonly tensors: TensorMap;
  /** Tensors this command removed (a new pass, a reset, an undo). */
  readonly cleared: readonly string[];
  /** Present when the command changed the architecture (setNetwork, setDataset, or an undo of one). */
  readonly network?: MlpConfig;
  /** Present when the command changed the dataset. */
  readonly dataset?: DatasetSpec;
  /**
   * The loss history becomes its first `keep` entries followed by `append`, with the stride and
   * count given (a changed stride resends the whole series, at most LOSS_POINTS numbers).
   */
  readonly loss: { readonly keep: number; readonly append: readonly number[]; readonly stride: number; readonly count: number };
  /** Present when the test loss series changed: changed the same way (it shares `loss`'s stride and count). */
  readonly testLoss?: { readonly keep: number; readonly append: readonly number[] };
  /** Present when the command changed the pacing. */
  readonly pacing?: Pacing;
  /** Present when the command changed the prediction (asked, revealed). */
  readonly prediction?: Prediction | null;
  /** Present when the spotlight changed (pointed, cleared by the instructor or by a new pass). */
  readonly spotlight?: SpotlightTarget | null;
  /** Present when the errata setting changed. */
  readonly errata?: boolean;
  /** Present when narration recording started or stopped (setNarration). */
  readonly narrating?: boolean;
  /** Present when the command left the pass with no flags (the pass ended, or `clearFlags`): clients forget theirs. */
  readonly flagsCleared?: true;
}

/** Applies a frame to the snapshot it follows. Throws on a gap so the caller resynchronises. */
export function applyFrame(s: Snapshot, f: Frame): Snapshot {
  if (f.seq !== s.seq + 1) throw new RangeError(`frame ${f.seq} does not follow seq ${s.seq}`);
  const tensors: Record<string, Tensor> = { ...s.tensors };
  for (const name of f.cleared) delete tensors[name];
  Object.assign(tensors, f.tensors);
  const lossHistory = spliced(s.lossHistory, f.loss);
  const testLossHistory = f.testLoss ? spliced(s.testLossHistory, f.testLoss) : s.testLossHistory;
  return {
    ...s,
    seq: f.seq,
    network: f.network ?? s.network,
    dataset: f.dataset ?? s.dataset,
    stage: f.stage,
    sampleIndex: f.sampleIndex,
    epoch: f.epoch,
    learningRate: f.learningRate,
    preset: f.preset,
    seed: f.seed,
    undoDepth: f.undoDepth,
    tensors,
    lossHistory,
    testLossHistory,
    lossStride: f.loss.stride,
    lossCount: f.loss.count,
    training: null,
    pacing: f.pacing ?? s.pacing,
    prediction: f.prediction !== undefined ? f.prediction : s.prediction,
    spotlight: f.spotlight !== undefined ? f.spotlight : s.spotlight,
    errata: f.errata ?? s.errata,
    // `?? false`: a snapshot stored before narration existed has no field.
    narrating: f.narrating ?? s.narrating ?? false,
  };
}

/** A series after a frame's change: its first `keep` entries, then `append` (the same array when nothing changed). */
function spliced(series: readonly number[], change: { readonly keep: number; readonly append: readonly number[] }): readonly number[] {
  if (change.keep === series.length && change.append.length === 0) return series;
  return [...series.slice(0, change.keep), ...change.append];
}
