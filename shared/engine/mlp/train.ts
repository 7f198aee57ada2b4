import type { MlpConfig } from './config.js';
import { binaryTargets, type MlpData } from './data.js';
import type { MlpParams } from './init.js';
import { mlpClearPass, mlpParams, type MlpState } from './network.js';
import { mlpLayout, mlpTensorShape } from './layout.js';
import type { Tensor } from '../tensor.js';
import { Workspace } from './workspace.js';

/**
 * Trains any config on its state's data with typed arrays and no allocation per row: the arithmetic
 * of the stages (same kernels, same order), so one epoch trained is bit for bit the epoch stepped.
 * It starts at an epoch boundary (a pass under way is discarded) and folds back into a state with
 * finish(). It can be sliced by epochs (runEpochs) or, for big networks on many rows, by rows (runRows), continuing mid-epoch and mid-batch where it stopped;
 * finish() keeps whole epochs only (the parameters as the last completed epoch left them), so an
 * event need only record how many epochs ran.
 */
export class MlpTrainer {
  private readonly ws: Workspace;
  private readonly losses: number[] = [];
  /** Next row of the epoch under way, start of the batch under way, and the epoch's loss sum so far. */
  private row = 0;
  private batchStart = 0;
  private sum = 0;
  /** The parameters at the last epoch boundary. */
  private readonly boundaryW: Float64Array[];
  private readonly boundaryB: Float64Array[] | null;
  epochsRun = 0;

  constructor(private readonly start: MlpState) {
    this.ws = new Workspace(start.config, mlpParams(start));
    this.boundaryW = this.ws.W.map((w) => Float64Array.from(w));
    this.boundaryB = this.ws.b ? this.ws.b.map((b) => Float64Array.from(b)) : null;
  }

  /** Runs `epochs` more epochs (finishing first an epoch runRows left under way); returns their mean losses. */
  runEpochs(epochs: number): number[] {
    const out: number[] = [];
    for (let e = 0; e < epochs; e++) out.push(...this.runRows(this.start.data.count - this.row));
    return out;
  }

  /** Runs the next `rows` rows, continuing where the last call stopped; returns the mean losses of the epochs that closed. */
  runRows(rows: number): number[] {
    const { ws } = this;
    const { config, data, learningRate: eta } = this.start;
    const { x, y, count } = data;
    const size = config.batch === 'full' ? count : config.batch;
    const closed: number[] = [];
    for (let n = 0; n < rows; n++) {
      const r = this.row;
      if (size === 1) {
        ws.forward(x, r);
        this.sum += ws.rowLoss(y, r);
        ws.backward('set');
        ws.update(eta);
      } else {
        if (r === this.batchStart) ws.zeroGradients();
        ws.forward(x, r);
        this.sum += ws.rowLoss(y, r);
        ws.backward('accumulate');
        const end = Math.min(this.batchStart + size, count);
        if (r + 1 === end) {
          ws.meanGradients(end - this.batchStart);
          ws.update(eta);
          this.batchStart = end;
        }
      }
      this.row = r + 1;
      if (this.row === count) {
        const mean = this.sum / count;
        closed.push(mean);
        this.losses.push(mean);
        this.epochsRun++;
        this.row = 0;
        this.batchStart = 0;
        this.sum = 0;
        for (let l = 1; l < ws.W.length; l++) {
          this.boundaryW[l].set(ws.W[l]);
          if (this.boundaryB && ws.b) this.boundaryB[l].set(ws.b[l]);
        }
      }
    }
    return closed;
  }

  /** Whether the trainer stands at an epoch boundary (nothing would be discarded by finish). */
  atEpochBoundary(): boolean {
    return this.row === 0;
  }

  /** The parameters as they stand now (copies). */
  params(): { weights: number[][]; biases: number[][] | null } {
    return this.ws.params();
  }

  /** The parameters as named tensors (for progress reports while training runs). */
  parameterTensors(): Record<string, Tensor> {
    const { config } = this.start;
    const layout = mlpLayout(config);
    const p = this.ws.params();
    const out: Record<string, Tensor> = {};
    layout.layers.forEach((n, i) => {
      out[n.W] = { shape: mlpTensorShape(config, n.W), data: p.weights[i] };
      if (n.b) out[n.b] = { shape: mlpTensorShape(config, n.b), data: p.biases![i] };
    });
    return out;
  }

  /** Loss and accuracy of the current parameters on any rows (a held-out test split, say). */
  evaluate(data: MlpData): MlpEvaluation {
    return evaluateWith(this.ws, data);
  }

  /** The parameters as the last completed epoch left them, as named tensors (copies). */
  boundaryTensors(): Record<string, Tensor> {
    const { config } = this.start;
    const tensors: Record<string, Tensor> = {};
    mlpLayout(config).layers.forEach((n, i) => {
      tensors[n.W] = { shape: mlpTensorShape(config, n.W), data: Array.from(this.boundaryW[i + 1]) };
      if (n.b) tensors[n.b] = { shape: mlpTensorShape(config, n.b), data: Array.from(this.boundaryB![i + 1]) };
    });
    return tensors;
  }

  /** The state after the completed epochs (an epoch under way is discarded). */
  finish(): MlpState {
    return {
      ...mlpClearPass(this.start, 0),
      epoch: this.start.epoch + this.epochsRun,
      epochLossSum: 0,
      epochLossCount: 0,
      lossHistory: this.start.lossHistory.append(this.losses),
      tensors: this.boundaryTensors(),
    };
  }
}

/** Trains `epochs` epochs at once (pure and synchronous). */
export function trainMlp(state: MlpState, epochs: number): MlpState {
  const trainer = new MlpTrainer(state);
  trainer.runEpochs(epochs);
  return trainer.finish();
}

export interface MlpEvaluation {
  /** Mean row loss. */
  readonly loss: number;
  /**
   * Fraction of rows whose every output is on the right side of 0.5 (ŷ ≥ 0.5 ⇔ y = 1);
   * null when the targets are not all 0 or 1 (regression) or there are no rows.
   */
  readonly accuracy: number | null;
  readonly count: number;
}

function evaluateWith(ws: Workspace, data: MlpData): MlpEvaluation {
  const { count, x, y, outputs } = data;
  if (count === 0) return { loss: NaN, accuracy: null, count };
  const classify = binaryTargets(data);
  const out = ws.a[ws.L];
  let sum = 0;
  let right = 0;
  for (let r = 0; r < count; r++) {
    ws.forward(x, r);
    sum += ws.rowLoss(y, r);
    if (classify) {
      let ok = true;
      for (let j = 0; j < outputs; j++) if ((out[j] >= 0.5 ? 1 : 0) !== y[r * outputs + j]) ok = false;
      if (ok) right++;
    }
  }
  return { loss: sum / count, accuracy: classify ? right / count : null, count };
}

/** Loss and accuracy of given parameters on given rows. */
export function evaluateMlp(config: MlpConfig, params: MlpParams, data: MlpData): MlpEvaluation {
  return evaluateWith(new Workspace(config, params), data);
}

export interface MlpFitReport {
  readonly state: MlpState;
  /** Mean loss of each epoch run (also appended to state.lossHistory). */
  readonly epochLosses: readonly number[];
  readonly train: MlpEvaluation;
  readonly test: MlpEvaluation | null;
}

/** Trains and then evaluates on the training rows and, if given, a held-out test split. */
export function fitMlp(state: MlpState, epochs: number, test?: MlpData): MlpFitReport {
  const trainer = new MlpTrainer(state);
  const epochLosses = trainer.runEpochs(epochs);
  return { state: trainer.finish(), epochLosses, train: trainer.evaluate(state.data), test: test ? trainer.evaluate(test) : null };
}
