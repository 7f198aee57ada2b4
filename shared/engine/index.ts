/**
 * The engine: one for every network, the general MLP engine (mlp/), and what it is built on:
 * tensors, the notebook's kernels, its truth table and weight presets, the seeded PRNG.
 */
export * from './tensor.js';
export * from './loss-log.js';
export * from './kernels.js';
export * from './dataset.js';
export * from './prng.js';
export * from './presets.js';
export * from './mlp/index.js';
