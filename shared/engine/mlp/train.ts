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
 * Like the notebook engine's Trainer it starts at an epoch boundary (a pass under way is discarded),
 * runs in slices (runEpochs as often as you like) and folds back into a state with finish().
 */
export class MlpTrainer {
  private readonly ws: Workspace;
  private readonly losses: number[] = [];
  epochsRun = 0;

  constructor(private readonly start: MlpState) {
    this.ws = new Workspace(start.config, mlpParams(start));
  }

  /** Runs `epochs` more epochs; returns their mean losses. */
  runEpochs(epochs: number): number[] {
    const { ws } = this;
    const { config, data, learningRate: eta } = this.start;
    const { x, y, count } = data;
    const out: number[] = [];
    for (let e = 0; e < epochs; e++) {
      let sum = 0;
      if (config.batch === 1) {
        for (let r = 0; r < count; r++) {
          ws.forward(x, r);
          sum += ws.rowLoss(y, r);
          ws.backward('set');
          ws.update(eta);
        }
      } else {
        const size = config.batch === 'full' ? count : config.batch;
        for (let startRow = 0; startRow < count; startRow += size) {
          const end = Math.min(startRow + size, count);
          ws.zeroGradients();
          for (let r = startRow; r < end; r++) {
            ws.forward(x, r);
            sum += ws.rowLoss(y, r);
            ws.backward('accumulate');
          }
          ws.meanGradients(end - startRow);
          ws.update(eta);
        }
      }
      out.push(sum / count);
    }
    this.losses.push(...out);
    this.epochsRun += epochs;
    return out;
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

  finish(): MlpState {
    const base = mlpClearPass(this.start, 0);
    return {
      ...base,
      epoch: this.start.epoch + this.epochsRun,
      epochLossSum: 0,
      epochLossCount: 0,
      lossHistory: this.losses.length ? [...this.start.lossHistory, ...this.losses] : this.start.lossHistory,
      tensors: this.parameterTensors(),
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
