/**
 * Engine benchmarks (`npm run bench`): stage steps per second and training epochs per second for the
 * notebook network. Not part of the test suite; writes bench/results/engine.json and prints a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { initialNetwork, NOTEBOOK_WEIGHTS, step, train } from '../shared/index.js';

function time<T>(fn: () => T): { ms: number; result: T } {
  const t0 = performance.now();
  const result = fn();
  return { ms: performance.now() - t0, result };
}

const start = initialNetwork(NOTEBOOK_WEIGHTS.W, NOTEBOOK_WEIGHTS.V, 1);
train(start, 1000); // warm up the JIT

const STEPS = 200_000;
const steps = time(() => {
  let s = start;
  for (let i = 0; i < STEPS; i++) s = step(s);
  return s.epoch;
});
const EPOCHS = 100_000;
const epochs = time(() => train(start, EPOCHS).epoch);

const results = {
  date: new Date().toISOString(),
  node: process.version,
  stageStepsPerSecond: Math.round((STEPS / steps.ms) * 1000),
  trainEpochsPerSecond: Math.round((EPOCHS / epochs.ms) * 1000),
  train100kEpochsMs: Math.round(epochs.ms),
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/engine.json', JSON.stringify(results, null, 2) + '\n');
console.table(results);
