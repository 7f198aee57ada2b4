import type { TexNumber } from './activations.js';
import type { Loss, OutputActivation } from './config.js';

/**
 * Everything the program knows about each loss, one entry per loss: the output it needs and the
 * targets it can learn (config and data rules), its value and output delta (the engine's
 * arithmetic), its notation (plain text, TeX, names) and its numpy code for the exported
 * notebook. Every place that depends on the loss reads this table, so a new loss is one entry
 * here and the compiler names whatever else must learn it.
 */

type Out = number[] | Float64Array;

/** One output unit of one row, for a loss line with numbers. */
export interface LossTerm {
  readonly y: number;
  readonly yHat: number;
}

/** How a loss line writes numbers: `n` rounds a computed one, `raw` keeps a target as the dataset has it. */
export interface LossNumbers {
  readonly n: TexNumber;
  readonly raw: TexNumber;
}

export interface LossSpec {
  /** Short: the network editor's menu, the setup's summary. */
  readonly name: string;
  /** In a sentence: "binary cross-entropy". */
  readonly fullName: string;
  /** The output activation it needs, and why (a config rule), or null when any will do. */
  readonly needs: { readonly output: OutputActivation; readonly why: string } | null;
  /** The targets it can learn, inclusive (a data rule), or null for any finite number. */
  readonly targets: readonly [number, number] | null;
  /** One row's loss, summed over the output units: y the targets, yHat and z the output layer's A and Z. */
  readonly rowLoss: (y: ArrayLike<number>, yHat: ArrayLike<number>, z: ArrayLike<number>) => number;
  /** The output delta ŷ − y: dL/dŷ, or dL/dZ when `fused`. */
  readonly delta: (y: ArrayLike<number>, yHat: ArrayLike<number>, out: Out) => void;
  /**
   * Differentiated together with the output's sigmoid: the delta is dL/dZ (the sigmoid's slope
   * ŷ(1 − ŷ) cancels against the loss's 1/(ŷ(1 − ŷ))), so the output layer has no dL/dA and
   * dA/dZ stages. How it is said (a phrase, TeX, a numpy comment); null for a loss that is not.
   */
  readonly fused: { readonly phrase: string; readonly tex: string; readonly numpyComment: string } | null;
  /** Computed from the output's logits Z, for numerical stability: how, in TeX; null when from ŷ. */
  readonly fromLogits: ((Z: string) => string) | null;
  readonly text: {
    /** The loss stage's formula, "L = ½(y − A2)²". */
    readonly loss: (A: string) => string;
  };
  readonly tex: {
    /**
     * The network's whole formula of ŷ: `out` is ŷ composed of the layers, or \hat y. `namesHat`:
     * the formula writes \hat y itself, which the panel then defines.
     */
    readonly network: (out: string, outputs: number) => { readonly tex: string; readonly namesHat: boolean };
    /** The loss stage's formula of L (written `L`), the row's y and ŷ, and `sum` (\sum_j or nothing). */
    readonly formula: (L: string, y: string, yHat: string, sum: string) => string;
    /** One row's line: L's symbol, its output units' numbers and the value. */
    readonly row: (L: string, terms: readonly LossTerm[], value: string, f: LossNumbers) => string;
  };
  readonly numpy: {
    /** Python defining `loss(y, A_out, Z_out)`, each row's loss. */
    readonly code: string;
    /** The markdown that introduces it; Z is the output's logits. */
    readonly markdown: (Z: string) => string;
  };
}

/**
 * Binary cross-entropy −[y·log σ(z) + (1 − y)·log(1 − σ(z))] from the logit z, in the form that
 * cannot overflow or take log 0: max(z, 0) − y·z + log(1 + e^−|z|).
 */
export function crossEntropyFromLogit(y: number, z: number): number {
  return Math.max(z, 0) - y * z + Math.log1p(Math.exp(-Math.abs(z)));
}

/**
 * ŷ − y. For ½(y − ŷ)² this is dL/dŷ (the notebook's dL_dC_act); for cross-entropy after a sigmoid
 * it is dL/dZ, the sigmoid's slope ŷ(1 − ŷ) having cancelled against the loss's 1/(ŷ(1 − ŷ)).
 */
function predictionMinusTarget(y: ArrayLike<number>, yHat: ArrayLike<number>, out: Out): void {
  for (let j = 0; j < yHat.length; j++) out[j] = yHat[j] - y[j];
}

/** Several output units' terms in brackets, one as it is. */
const bracketed = (terms: readonly string[]) => (terms.length === 1 ? terms[0] : `\\bigl[${terms.join(' + ')}\\bigr]`);
const dot = '\\cdot ';

/** One entry per loss of config.ts's LOSSES (a missing or extra one is a compile error). */
export const LOSS_SPECS = {
  halfSquaredError: {
    name: '½(y − ŷ)²',
    fullName: '½(y − ŷ)²',
    needs: null,
    targets: null,
    // ½(y − ŷ)², the notebook's halfSquaredError for one output.
    rowLoss: (y, yHat) => {
      let d = y[0] - yHat[0];
      let sum = 0.5 * d * d;
      for (let j = 1; j < yHat.length; j++) {
        d = y[j] - yHat[j];
        sum += 0.5 * d * d;
      }
      return sum;
    },
    delta: predictionMinusTarget,
    fused: null,
    fromLogits: null,
    text: { loss: (A) => `L = ½(y − ${A})²` },
    tex: {
      network: (out, outputs) =>
        outputs > 1
          ? { tex: `L = \\tfrac12\\sum_j\\bigl(y_j - \\hat y_j\\bigr)^2`, namesHat: true }
          : { tex: `L = \\tfrac12\\bigl(y - ${out}\\bigr)^2`, namesHat: false },
      formula: (L, y, yHat, sum) => `${L} = \\tfrac12 ${sum}(${y} - ${yHat})^2`,
      row: (L, terms, value, { n, raw }) => `${L} = \\tfrac12 ${bracketed(terms.map((t) => `(${raw(t.y)} - ${n(t.yHat)})^2`))} = ${value}`,
    },
    numpy: {
      code: [
        'def loss(y, A_out, Z_out):',
        '    """(1/2)*(y - y_hat)**2 for each row, summed over the outputs; y_hat = A_out is the prediction."""',
        '    return np.sum(0.5*(y - A_out)**2, axis=-1)',
      ].join('\n'),
      markdown: () => 'The loss: ½(y − ŷ)², whose gradient is dL/dŷ = ŷ − y.',
    },
  },
  crossEntropy: {
    name: 'cross-entropy',
    fullName: 'binary cross-entropy',
    needs: { output: 'sigmoid', why: 'its prediction must lie between 0 and 1' },
    targets: [0, 1],
    rowLoss: (y, yHat, z) => {
      let sum = crossEntropyFromLogit(y[0], z[0]);
      for (let j = 1; j < yHat.length; j++) sum += crossEntropyFromLogit(y[j], z[j]);
      return sum;
    },
    delta: predictionMinusTarget,
    fused: {
      phrase: 'cross-entropy through the sigmoid',
      tex: `\\text{cross-entropy through the sigmoid:}\\ \\frac{\\partial L}{\\partial \\hat y}\\,\\sigma'(z) = \\frac{\\hat y - y}{\\hat y(1 - \\hat y)}\\,\\hat y(1 - \\hat y) = \\hat y - y`,
      numpyComment: '# cross-entropy and the sigmoid differentiated together',
    },
    fromLogits: (Z) => `\\text{computed from}\\ ${Z}\\ \\text{as}\\ \\max(${Z}, 0) - y\\,${Z} + \\log(1 + e^{-|${Z}|})\\ \\text{so it never takes log 0}`,
    text: { loss: (A) => `L = −[y·log ${A} + (1 − y)·log(1 − ${A})]` },
    tex: {
      network: () => ({ tex: `L = -\\bigl[y\\log \\hat y + (1 - y)\\log(1 - \\hat y)\\bigr]`, namesHat: true }),
      formula: (L, y, yHat, sum) => `${L} = -${sum}\\bigl[${y}\\log ${yHat} + (1 - ${y})\\log(1 - ${yHat})\\bigr]`,
      row: (L, terms, value, { n, raw }) => {
        const each = terms.map((t) => `${raw(t.y)}${dot}\\log ${n(t.yHat)} + ${raw(1 - t.y)}${dot}\\log(1 - ${n(t.yHat)})`);
        return `${L} = -${terms.length > 1 ? bracketed(each.map((t) => `\\bigl[${t}\\bigr]`)) : `\\bigl[${each[0]}\\bigr]`} = ${value}`;
      },
    },
    numpy: {
      code: [
        'def loss(y, A_out, Z_out):',
        '    """Binary cross-entropy -[y*log(y_hat) + (1 - y)*log(1 - y_hat)] for each row, summed over the outputs,',
        '    computed from the logits Z_out as max(z, 0) - y*z + log(1 + exp(-|z|)): the same number, without log 0."""',
        '    return np.sum(np.maximum(Z_out, 0) - y*Z_out + np.log1p(np.exp(-np.abs(Z_out))), axis=-1)',
      ].join('\n'),
      markdown: (Z) =>
        `The loss: binary cross-entropy, computed from the output's logits ${Z} as the engine does. Its gradient through the sigmoid is simply ŷ − y (the loss's 1/(ŷ(1 − ŷ)) and the sigmoid's ŷ(1 − ŷ) cancel).`,
    },
  },
} satisfies Record<Loss, LossSpec>;

/** Whether a loss can follow an output activation (cross-entropy needs a sigmoid). */
export function lossFitsOutput(loss: Loss, output: OutputActivation): boolean {
  const needs = LOSS_SPECS[loss].needs;
  return needs === null || needs.output === output;
}
