import { normalStream } from './prng.js';

export const PRESETS = { notebook: 'notebook', random: 'random' } as const;
export type Preset = (typeof PRESETS)[keyof typeof PRESETS];
export const PRESET_NAMES = Object.values(PRESETS) as [Preset, ...Preset[]];

export const INPUTS = 3;
export const HIDDEN = 4;
export const OUTPUTS = 1;

export interface Weights {
  /** 3×4, row-major: W[i][j] joins input i to hidden unit j. */
  readonly W: readonly number[];
  /** 4×1. */
  readonly V: readonly number[];
}

/**
 * The notebook never prints its initial weights; these are recovered from its printed outputs
 * (shared/reference/notebook-values.json, "initial"): with them the forward pass on sample 0
 * reproduces every forward value the notebook prints. See docs/notebook-errata.md.
 */
export const NOTEBOOK_WEIGHTS: Weights = {
  W: [
    1.39501653, 0.72739444, 1.52188177, -0.27303581,
    -1.59576699, 0.82262018, 0.62092393, 0.56616541,
    -0.67375054, 0.39160322, -1.05787226, 0.89798339,
  ],
  V: [-0.15813579, 2.07348485, 0.00347727, 0.21261023],
};

/** The notebook's initialisation, W = −randn(3,4) and V = randn(4,1), from a seeded stream. */
export function randomWeights(seed: number): Weights {
  const randn = normalStream(seed);
  const W = Array.from({ length: INPUTS * HIDDEN }, () => -randn());
  const V = Array.from({ length: HIDDEN * OUTPUTS }, () => randn());
  return { W, V };
}

export function presetWeights(preset: Preset, seed: number): Weights {
  switch (preset) {
    case 'notebook':
      return NOTEBOOK_WEIGHTS;
    case 'random':
      return randomWeights(seed);
    default: {
      const unknown: never = preset;
      throw new Error(`unknown preset ${String(unknown)}`);
    }
  }
}
