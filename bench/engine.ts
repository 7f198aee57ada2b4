/**
 * Engine benchmarks: stage steps per second and training epochs per second for the notebook
 * network, in this process (no server).
 */
import { initialNetwork, NOTEBOOK_WEIGHTS, step, train } from '../shared/index.js';
import { median, round, table } from './lib/stats.js';

function time<T>(fn: () => T): { ms: number; result: T } {
  const t0 = performance.now();
  const result = fn();
  return { ms: performance.now() - t0, result };
}

export interface EngineResult {
  stageStepsPerSecond: number;
  trainEpochsPerSecond: number;
  /** Median of `reps` runs of train(100,000 epochs), ms. */
  train100kEpochsMs: number;
  train100kEpochsRunsMs: number[];
}

export function runEngine(reps = 3): EngineResult {
  console.log('\nengine: the notebook network in this process');
  const start = initialNetwork(NOTEBOOK_WEIGHTS.W, NOTEBOOK_WEIGHTS.V, 1);
  train(start, 1000); // warm up the JIT

  const STEPS = 200_000;
  const steps = time(() => {
    let s = start;
    for (let i = 0; i < STEPS; i++) s = step(s);
    return s.epoch;
  });
  const EPOCHS = 100_000;
  const runs = Array.from({ length: reps }, () => time(() => train(start, EPOCHS).epoch).ms);
  const ms = median(runs);
  const result: EngineResult = {
    stageStepsPerSecond: Math.round((STEPS / steps.ms) * 1000),
    trainEpochsPerSecond: Math.round((EPOCHS / ms) * 1000),
    train100kEpochsMs: Math.round(ms),
    train100kEpochsRunsMs: runs.map((x) => round(x, 0)),
  };
  console.log(table([{ ...result, train100kEpochsRunsMs: result.train100kEpochsRunsMs.join(', ') }]));
  return result;
}
