import { normalStream } from '../prng.js';
import { ACTIVATION_SPECS } from './activations.js';
import { isNotebookConfig, layerActivations, layerSizes, notebookWeightsFit, type MlpConfig } from './config.js';

/** Where a network's first parameters come from: the teaching notebook's weights, or a seeded draw. */
export const PRESET_NAMES = ['notebook', 'random'] as const;
export type Preset = (typeof PRESET_NAMES)[number];

/** The notebook network's two weight matrices. */
export interface NotebookWeights {
  /** 3×4, row-major: W[i][j] joins input i to hidden unit j. */
  readonly W: readonly number[];
  /** 4×1. */
  readonly V: readonly number[];
}

/**
 * The notebook never prints its initial weights; these are recovered from its printed outputs
 * (test/fixtures/notebook-values.json, "initial"): with them the forward pass on sample 0
 * reproduces every forward value the notebook prints. See docs/notebook-errata.md.
 */
export const NOTEBOOK_WEIGHTS: NotebookWeights = {
  W: [
    1.39501653, 0.72739444, 1.52188177, -0.27303581,
    -1.59576699, 0.82262018, 0.62092393, 0.56616541,
    -0.67375054, 0.39160322, -1.05787226, 0.89798339,
  ],
  V: [-0.15813579, 2.07348485, 0.00347727, 0.21261023],
};

/** The notebook's initialisation, W = −randn(3,4) and V = randn(4,1), from a seeded stream. */
export function randomWeights(seed: number): NotebookWeights {
  const randn = normalStream(seed);
  const W = Array.from({ length: 3 * 4 }, () => -randn());
  const V = Array.from({ length: 4 * 1 }, () => randn());
  return { W, V };
}

/**
 * A network's parameters, layer by layer (index l − 1 for layer l): weights[l − 1] is W_l,
 * n(l−1) × n(l) row-major; biases[l − 1] is b_l, or biases is null when the config has none.
 * Any ArrayLike will do for reading (typed arrays included).
 */
export interface MlpParams {
  readonly weights: readonly ArrayLike<number>[];
  readonly biases: readonly ArrayLike<number>[] | null;
}

/**
 * Seeded initial parameters.
 * - `notebook`: the notebook's recovered weights; only for a 3-4-1 network (biases, if on, start at 0).
 * - `random` on the notebook's exact config: the notebook's random preset (randomWeights: W = −randn, V = randn),
 *   so a seed gives the network it gave before the general engine.
 * - `random` otherwise: normals from one seeded stream, layer by layer, W row-major, scaled by
 *   He (√(2/n_in)) or Xavier/Glorot (√(2/(n_in + n_out))) as the layer's activation says (ReLU: He); biases 0.
 */
export function initialParams(config: MlpConfig, init: Preset, seed = 0): { weights: number[][]; biases: number[][] | null } {
  const sizes = layerSizes(config);
  const zeros = () => (config.biases ? sizes.slice(1).map((n) => new Array<number>(n).fill(0)) : null);
  if (init === 'notebook') {
    if (!notebookWeightsFit(config)) throw new Error(`the notebook preset is for a 3-4-1 network, not ${sizes.join('-')}`);
    return { weights: [[...NOTEBOOK_WEIGHTS.W], [...NOTEBOOK_WEIGHTS.V]], biases: zeros() };
  }
  if (isNotebookConfig(config)) {
    const { W, V } = randomWeights(seed);
    return { weights: [[...W], [...V]], biases: null };
  }
  const randn = normalStream(seed);
  const acts = layerActivations(config);
  const weights = sizes.slice(1).map((nOut, i) => {
    const nIn = sizes[i];
    const scale = ACTIVATION_SPECS[acts[i]].init === 'he' ? Math.sqrt(2 / nIn) : Math.sqrt(2 / (nIn + nOut));
    return Array.from({ length: nIn * nOut }, () => scale * randn());
  });
  return { weights, biases: zeros() };
}
