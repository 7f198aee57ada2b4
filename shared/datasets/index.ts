export * from './types.js';
export * from './split.js';
export * from './truth-tables.js';
export * from './points.js';
export * from './csv.js';
export * from './csv-texts.js';
export * from './spec.js';
