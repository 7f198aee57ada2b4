export * from './decider.js';
export * from './views.js';
