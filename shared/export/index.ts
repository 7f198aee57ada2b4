export * from './weight-ops.js';
export * from './notebook.js';
export * from './weights.js';
