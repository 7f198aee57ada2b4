/** The rows of a pass: one rule for the decider, the shapes to come and the views (shared/lecture/pass.ts). */
import { describe, expect, it } from 'vitest';
import { mlpConfig, NOTEBOOK_MLP_CONFIG, type MlpConfig } from '../../shared/engine/mlp/config.js';
import { currentPass, upcomingPass, upcomingPassRows, type PassPosition } from '../../shared/lecture/pass.js';
import { snapshotNetwork } from '../../shared/lecture/snapshot-network.js';
import { createLecture } from '../../shared/lecture/decider.js';
import { toSnapshot } from '../../shared/lecture/views.js';
import { packedData } from '../../shared/lecture/setup.js';
import type { DatasetSpec } from '../../shared/datasets/spec.js';

const CIRCLE: DatasetSpec = { kind: 'points', set: 'circle', count: 200, noise: 0, trainFraction: 0.5, seed: 1 };
const batched = (batch: number | 'full'): MlpConfig => mlpConfig({ inputs: 2, hidden: [{ units: 3, activation: 'tanh' }], batch });
const at = (config: MlpConfig, stage: string, sampleIndex: number): PassPosition => ({ config, data: packedData(CIRCLE).train, stage, sampleIndex });

describe('the rows of a pass', () => {
  it('are one row for per-sample SGD and a batch (the epoch’s last one shorter) otherwise', () => {
    expect(packedData(CIRCLE).train.count).toBe(100);
    expect(currentPass(at(batched(1), 'B', 7))).toEqual({ start: 7, count: 1 });
    expect(currentPass(at(batched(10), 'Z1', 20))).toEqual({ start: 20, count: 10 });
    expect(currentPass(at(batched(30), 'input', 90))).toEqual({ start: 90, count: 10 });
    expect(currentPass(at(batched('full'), 'idle', 0))).toEqual({ start: 0, count: 100 });
  });

  it('to come are the next pass’s once `update` completed this one, the epoch’s first after its last', () => {
    expect(upcomingPass(at(batched(10), 'Z1', 20))).toEqual({ start: 20, count: 10 });
    expect(upcomingPass(at(batched(10), 'update', 20))).toEqual({ start: 30, count: 10 });
    expect(upcomingPass(at(batched(30), 'update', 60))).toEqual({ start: 90, count: 10 });
    expect(upcomingPass(at(batched(30), 'update', 90))).toEqual({ start: 0, count: 30 });
    expect(upcomingPassRows(at(batched(30), 'update', 60))).toBe(10);
    // At `update` the pass on show is still the one that ran.
    expect(currentPass(at(batched(30), 'update', 90))).toEqual({ start: 90, count: 10 });
  });

  it('tile the epoch: each upcoming pass starts where the last one ended', () => {
    for (const batch of [1, 7, 10, 30, 'full'] as const) {
      let position = at(batched(batch), 'update', 0);
      const covered: number[] = [];
      do {
        covered.push(currentPass(position).count);
        position = { ...position, sampleIndex: upcomingPass(position).start };
      } while (position.sampleIndex !== 0);
      expect(covered.reduce((a, b) => a + b, 0)).toBe(100);
    }
  });

  it('stay inside the rows, never empty, for a position a view might hold', () => {
    expect(currentPass(at(batched(10), 'idle', 250))).toEqual({ start: 99, count: 1 });
  });

  it('read the same from a snapshot as from the state it projects', () => {
    const lecture = createLecture({ lectureId: 'P', title: 't', preset: 'random', seed: 3, learningRate: 0.1, network: batched(10), dataset: CIRCLE });
    const snapshot = toSnapshot(lecture);
    const read = snapshotNetwork(snapshot);
    expect(read.config).toBe(lecture.network.config);
    expect(read.data).toBe(lecture.network.data);
    expect(read.tensors).toEqual(lecture.network.tensors);
    expect(currentPass(read)).toEqual(currentPass(lecture.network));
    const notebook = createLecture({ lectureId: 'N', title: 't', preset: 'notebook', seed: 1, learningRate: 1 });
    expect(notebook.network.config).toEqual(NOTEBOOK_MLP_CONFIG);
    expect(currentPass(snapshotNetwork(toSnapshot(notebook)))).toEqual({ start: 0, count: 1 });
  });
});
