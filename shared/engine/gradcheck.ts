import type { Sample } from './dataset.js';
import { halfSquaredError, sigmoid, sigmoidInto, vecMat } from './kernels.js';

/** L = ½(y − C_act)² for one sample, straight from the weights. */
export function sampleLoss(W: readonly number[], V: readonly number[], sample: Sample): number {
  const hidden = V.length;
  const bAct = new Array<number>(hidden);
  vecMat(sample.x, W, hidden, bAct);
  sigmoidInto(bAct, bAct);
  const c = [0];
  vecMat(bAct, V, 1, c);
  return halfSquaredError(sample.y, sigmoid(c[0]));
}

/** The analytic gradients of L with respect to W and V (the backward pass, in closed form). */
export function analyticGradients(W: readonly number[], V: readonly number[], sample: Sample): { W: number[]; V: number[] } {
  const hidden = V.length;
  const bAct = new Array<number>(hidden);
  vecMat(sample.x, W, hidden, bAct);
  sigmoidInto(bAct, bAct);
  const c = [0];
  vecMat(bAct, V, 1, c);
  const cAct = sigmoid(c[0]);
  const delta = (cAct - sample.y) * cAct * (1 - cAct);
  const dV = bAct.map((b) => delta * b);
  const dB = bAct.map((b, j) => delta * V[j] * b * (1 - b));
  const dW: number[] = [];
  for (const a of sample.x) for (const d of dB) dW.push(a * d);
  return { W: dW, V: dV };
}

export interface GradientCheck {
  readonly W: { readonly analytic: number[]; readonly numeric: number[] };
  readonly V: { readonly analytic: number[]; readonly numeric: number[] };
  /** The largest |analytic − numeric| over every weight. */
  readonly maxAbsDifference: number;
  readonly h: number;
}

/** Central finite differences (L(w+h) − L(w−h)) / 2h for every weight, beside the analytic gradient. */
export function gradientCheck(W: readonly number[], V: readonly number[], sample: Sample, h = 1e-5): GradientCheck {
  const numericFor = (which: 'W' | 'V'): number[] => {
    const base = which === 'W' ? W : V;
    return base.map((_, k) => {
      const plus = [...base];
      const minus = [...base];
      plus[k] += h;
      minus[k] -= h;
      const lossPlus = which === 'W' ? sampleLoss(plus, V, sample) : sampleLoss(W, plus, sample);
      const lossMinus = which === 'W' ? sampleLoss(minus, V, sample) : sampleLoss(W, minus, sample);
      return (lossPlus - lossMinus) / (2 * h);
    });
  };
  const analytic = analyticGradients(W, V, sample);
  const numW = numericFor('W');
  const numV = numericFor('V');
  let maxAbsDifference = 0;
  analytic.W.forEach((g, k) => (maxAbsDifference = Math.max(maxAbsDifference, Math.abs(g - numW[k]))));
  analytic.V.forEach((g, k) => (maxAbsDifference = Math.max(maxAbsDifference, Math.abs(g - numV[k]))));
  return { W: { analytic: analytic.W, numeric: numW }, V: { analytic: analytic.V, numeric: numV }, maxAbsDifference, h };
}
