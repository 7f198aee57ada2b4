export * from './engine/index.js';
export * from './protocol/index.js';
export * from './lecture/index.js';
export * from './export/index.js';
export * from './datasets/index.js';
