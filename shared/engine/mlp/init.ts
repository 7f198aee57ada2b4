import { normalStream } from '../prng.js';
import { NOTEBOOK_WEIGHTS, randomWeights } from '../presets.js';
import { isNotebookConfig, layerActivations, layerSizes, type MlpConfig } from './config.js';

/**
 * A network's parameters, layer by layer (index l − 1 for layer l): weights[l − 1] is W_l,
 * n(l−1) × n(l) row-major; biases[l − 1] is b_l, or biases is null when the config has none.
 * Any ArrayLike will do for reading (typed arrays included).
 */
export interface MlpParams {
  readonly weights: readonly ArrayLike<number>[];
  readonly biases: readonly ArrayLike<number>[] | null;
}

export type MlpInit = 'notebook' | 'random';

/**
 * Seeded initial parameters.
 * - `notebook`: the notebook's recovered weights; only for a 3-4-1 network (biases, if on, start at 0).
 * - `random` on the notebook's exact config: the notebook's random preset (presets.ts: W = −randn, V = randn),
 *   so a seed gives the network it gave before the general engine.
 * - `random` otherwise: normals from one seeded stream, layer by layer, W row-major, scaled by
 *   He (√(2/n_in)) for a ReLU layer and Xavier/Glorot (√(2/(n_in + n_out))) for the others; biases 0.
 */
export function initialParams(config: MlpConfig, init: MlpInit, seed = 0): { weights: number[][]; biases: number[][] | null } {
  const sizes = layerSizes(config);
  const zeros = () => (config.biases ? sizes.slice(1).map((n) => new Array<number>(n).fill(0)) : null);
  if (init === 'notebook') {
    if (sizes.join('-') !== '3-4-1') throw new Error(`the notebook preset is for a 3-4-1 network, not ${sizes.join('-')}`);
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
    const scale = acts[i] === 'relu' ? Math.sqrt(2 / nIn) : Math.sqrt(2 / (nIn + nOut));
    return Array.from({ length: nIn * nOut }, () => scale * randn());
  });
  return { weights, biases: zeros() };
}
