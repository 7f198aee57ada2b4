import { ACTIVATION_SPECS } from './activations.js';
import type { MlpConfig } from './config.js';
import type { MlpData } from './data.js';
import type { MlpParams } from './init.js';
import { mlpLayout } from './layout.js';
import { Workspace } from './workspace.js';

/** The mean loss over rows [start, start + count) of the data (default: every row). */
export function mlpMeanLoss(config: MlpConfig, params: MlpParams, data: MlpData, start = 0, count = data.count - start): number {
  return lossAndPattern(config, params, data, start, count).loss;
}

/**
 * The mean loss, and on which side of its kink (Z > 0 or not) each unit of a kinked activation (ReLU)
 * is on every row: a finite difference that changes the pattern crossed a kink.
 */
function lossAndPattern(config: MlpConfig, params: MlpParams, data: MlpData, start: number, count: number): { loss: number; pattern: string } {
  const ws = new Workspace(config, params);
  let sum = 0;
  let pattern = '';
  for (let r = start; r < start + count; r++) {
    ws.forward(data.x, r);
    sum += ws.rowLoss(data.y, r);
    for (let l = 1; l <= ws.L; l++) if (ACTIVATION_SPECS[ws.acts[l - 1]].kinked) for (const z of ws.z[l]) pattern += z > 0 ? '1' : '0';
  }
  return { loss: sum / count, pattern };
}

export interface MlpGradients {
  readonly weights: number[][];
  readonly biases: number[][] | null;
  readonly loss: number;
}

/** The analytic gradient of the mean loss over rows [start, start + count), by backpropagation. */
export function mlpGradients(config: MlpConfig, params: MlpParams, data: MlpData, start = 0, count = data.count - start): MlpGradients {
  const ws = new Workspace(config, params);
  ws.zeroGradients();
  let sum = 0;
  for (let r = start; r < start + count; r++) {
    ws.forward(data.x, r);
    sum += ws.rowLoss(data.y, r);
    ws.backward('accumulate');
  }
  ws.meanGradients(count);
  return {
    weights: ws.gW.slice(1).map((g) => Array.from(g)),
    biases: ws.b ? ws.gb.slice(1).map((g) => Array.from(g)) : null,
    loss: sum / count,
  };
}

export interface MlpParameterCheck {
  /** The parameter's name in the layout (W1, b1, … or the notebook's W, V). */
  readonly name: string;
  readonly analytic: number[];
  readonly numeric: number[];
}

export interface MlpGradientCheck {
  readonly parameters: readonly MlpParameterCheck[];
  /** The largest |analytic − numeric|. */
  readonly maxAbsDifference: number;
  /** The largest |analytic − numeric| / max(1, |analytic|, |numeric|): absolute for small gradients, relative for large. */
  readonly maxRelDifference: number;
  /**
   * Parameters (as "W1[3]") whose ±h perturbation switched a ReLU (a kinked activation) on or off: their finite difference
   * straddles a kink and may legitimately disagree with the analytic (one-sided) slope.
   */
  readonly kinks: readonly string[];
  readonly h: number;
}

/**
 * Central finite differences (L(p + h) − L(p − h)) / 2h of the mean loss over the rows, for every
 * parameter, beside the analytic gradient.
 */
export function mlpGradientCheck(
  config: MlpConfig,
  params: MlpParams,
  data: MlpData,
  options: { h?: number; start?: number; count?: number } = {},
): MlpGradientCheck {
  const h = options.h ?? 1e-5;
  const start = options.start ?? 0;
  const count = options.count ?? data.count - start;
  const layout = mlpLayout(config);
  const analytic = mlpGradients(config, params, data, start, count);
  const weights = params.weights.map((w) => Array.from(w));
  const biases = params.biases ? params.biases.map((b) => Array.from(b)) : null;
  const current: MlpParams = { weights, biases };
  const base = lossAndPattern(config, current, data, start, count).pattern;
  const kinks: string[] = [];
  const numericOf = (values: number[], name: string) =>
    values.map((_, i) => {
      const keep = values[i];
      values[i] = keep + h;
      const plus = lossAndPattern(config, current, data, start, count);
      values[i] = keep - h;
      const minus = lossAndPattern(config, current, data, start, count);
      values[i] = keep;
      if (plus.pattern !== base || minus.pattern !== base) kinks.push(`${name}[${i}]`);
      return (plus.loss - minus.loss) / (2 * h);
    });
  const parameters: MlpParameterCheck[] = [];
  layout.layers.forEach((n, i) => {
    parameters.push({ name: n.W, analytic: analytic.weights[i], numeric: numericOf(weights[i], n.W) });
    if (n.b && biases && analytic.biases) parameters.push({ name: n.b, analytic: analytic.biases[i], numeric: numericOf(biases[i], n.b) });
  });
  let maxAbsDifference = 0;
  let maxRelDifference = 0;
  for (const p of parameters) {
    p.analytic.forEach((a, k) => {
      const d = Math.abs(a - p.numeric[k]);
      maxAbsDifference = Math.max(maxAbsDifference, d);
      maxRelDifference = Math.max(maxRelDifference, d / Math.max(1, Math.abs(a), Math.abs(p.numeric[k])));
    });
  }
  return { parameters, maxAbsDifference, maxRelDifference, kinks, h };
}
