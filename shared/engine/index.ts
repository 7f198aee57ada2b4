/**
 * The engine: one for every network, the MLP engine (mlp/), and what it is built on: tensors,
 * the loss log and the seeded PRNG.
 */
export * from './tensor.js';
export * from './loss-log.js';
export * from './prng.js';
export * from './mlp/index.js';
