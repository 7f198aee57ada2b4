export * from './decider.js';
export * from './views.js';
export * from './replay-index.js';
export * from './fork.js';
export * from './setup.js';
export * from './trainer.js';
export * from './apply.js';
export * from './event-format.js';
