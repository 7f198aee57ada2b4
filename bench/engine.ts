/**
 * Engine benchmarks, in this process (no server), on the engine lectures run (shared/engine/mlp
 * through shared/lecture/trainer.ts's LectureTrainer): stage steps per second and 100,000 training epochs of the
 * notebook network; 100 epochs of a 2-8-8-1 tanh network on 500 spiral points (per-sample SGD,
 * the notebook's rule, so 50,000 forward and backward passes), with and without a held-out split
 * evaluated after every epoch.
 */
import { mlpStep } from '../shared/engine/mlp/network.js';
import { createLecture, decide, evolve, type LectureState } from '../shared/lecture/decider.js';
import { parseCommand } from '../shared/protocol/commands.js';
import { LectureTrainer } from '../shared/lecture/trainer.js';
import { median, round, table } from './lib/stats.js';

function time<T>(fn: () => T): { ms: number; result: T } {
  const t0 = performance.now();
  const result = fn();
  return { ms: performance.now() - t0, result };
}

export interface EngineResult {
  stageStepsPerSecond: number;
  trainEpochsPerSecond: number;
  /** Median of `reps` runs of training the notebook network 100,000 epochs, ms. */
  train100kEpochsMs: number;
  train100kEpochsRunsMs: number[];
  /** Median of `reps` runs: 2-8-8-1 tanh, 500 spiral points, 100 epochs, ms. */
  spiral500x100Ms: number;
  /** The same on 1,000 points split 500 train / 500 test, the test loss evaluated after every epoch. */
  spiral500x100WithTestMs: number;
}

const ctx = { now: 0, newSeed: () => 1 };

function lectureWith(commands: object[]): LectureState {
  let state = createLecture({ lectureId: 'BENCH1', title: 'bench', preset: 'notebook', seed: 0, learningRate: 0.1 });
  for (const command of commands) {
    const parsed = parseCommand(command);
    if (!parsed.ok) throw new Error(parsed.error);
    const d = decide(state, parsed.value, ctx);
    if (!d.ok) throw new Error(d.error);
    state = evolve(state, d.event);
  }
  return state;
}

function trainMs(state: LectureState, epochs: number): number {
  return time(() => {
    const t = new LectureTrainer(state);
    t.runEpochs(epochs);
    return t.result();
  }).ms;
}

export function runEngine(reps = 3): EngineResult {
  console.log('\nengine: the lecture engine in this process');
  const notebook = lectureWith([]);
  trainMs(notebook, 1000); // warm up the JIT

  const STEPS = 200_000;
  const steps = time(() => {
    let s = notebook.network;
    for (let i = 0; i < STEPS; i++) s = mlpStep(s);
    return s.epoch;
  });
  const EPOCHS = 100_000;
  const runs = Array.from({ length: reps }, () => trainMs(notebook, EPOCHS));
  const ms = median(runs);

  const network = { type: 'setNetwork', network: { hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }], biases: true, loss: 'crossEntropy' }, seed: 1 };
  const spiral = lectureWith([{ type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 500, noise: 0.1, trainFraction: 1, seed: 1 } }, network]);
  const spiralSplit = lectureWith([{ type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 1000, noise: 0.1, trainFraction: 0.5, seed: 1 } }, network]);
  if (spiral.network.data.count !== 500 || spiralSplit.network.data.count !== 500) throw new Error('the spiral benches need 500 training rows');
  trainMs(spiral, 10);
  const spiralMs = median(Array.from({ length: reps }, () => trainMs(spiral, 100)));
  const spiralTestMs = median(Array.from({ length: reps }, () => trainMs(spiralSplit, 100)));

  const result: EngineResult = {
    stageStepsPerSecond: Math.round((STEPS / steps.ms) * 1000),
    trainEpochsPerSecond: Math.round((EPOCHS / ms) * 1000),
    train100kEpochsMs: Math.round(ms),
    train100kEpochsRunsMs: runs.map((x) => round(x, 0)),
    spiral500x100Ms: round(spiralMs, 1),
    spiral500x100WithTestMs: round(spiralTestMs, 1),
  };
  console.log(table([{ ...result, train100kEpochsRunsMs: result.train100kEpochsRunsMs.join(', ') }]));
  return result;
}
