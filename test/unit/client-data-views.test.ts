/**
 * The pure parts of the client's data views: element labels and flag keys for any network, the
 * sandbox's training bound, and how many rows a gradient check affords.
 */
import { describe, expect, it } from 'vitest';
import type { DatasetSpec } from '../../shared/datasets/spec.js';
import { mlpConfig, NOTEBOOK_MLP_CONFIG } from '../../shared/engine/mlp/config.js';
import { createLecture } from '../../shared/lecture/decider.js';
import { forkLecture } from '../../shared/lecture/fork.js';
import { toSnapshot } from '../../shared/lecture/views.js';
import { describeFlagKey, indexOf } from '../../client/lib/collab.js';
import { elementLabel, tensorShapeIn } from '../../shared/engine/mlp/tensor-names.js';
import { sandboxEpochLimit, SANDBOX_MAX_EPOCHS } from '../../client/lib/sandbox.js';
import { snapshotParams } from '../../client/lib/snapshot-network.js';
import { currentPass } from '../../shared/lecture/pass.js';
import { snapshotNetwork } from '../../shared/lecture/snapshot-network.js';
import { affordableRows } from '../../client/lib/gradient-budget.js';

const TANH_BATCHED = mlpConfig({ inputs: 2, hidden: [{ units: 8, activation: 'tanh' }], biases: true, batch: 10 });
const CIRCLE: DatasetSpec = { kind: 'points', set: 'circle', count: 200, noise: 0, trainFraction: 0.5, seed: 1 };

describe('element labels', () => {
  it("keeps the notebook's labels, labelled by the notebook network's shapes", () => {
    const shape = (tensor: string) => tensorShapeIn(NOTEBOOK_MLP_CONFIG, tensor);
    expect(elementLabel('C_act', [0], shape('C_act'))).toBe('C_act');
    expect(elementLabel('V', [2, 0], shape('V'))).toBe('V[3]');
    expect(elementLabel('W', [0, 2], shape('W'))).toBe('W[1,3]');
    expect(elementLabel('dL_dW', [1, 1], shape('dL_dW'))).toBe('∂L/∂W[2,2]');
    expect(indexOf(5, shape('W'))).toEqual([1, 1]);
  });

  it('labels layer-indexed tensors by their shape in the network', () => {
    expect(elementLabel('W1', [0, 2], tensorShapeIn(TANH_BATCHED, 'W1'))).toBe('W1[1,3]');
    expect(elementLabel('b1', [3], tensorShapeIn(TANH_BATCHED, 'b1'))).toBe('b1[4]');
    // Batched: a per-row tensor names its row (and, for one unit, only the row).
    expect(elementLabel('A1', [4, 2], tensorShapeIn(TANH_BATCHED, 'A1'))).toBe('A1[5,3]');
    expect(elementLabel('A2', [4, 0], tensorShapeIn(TANH_BATCHED, 'A2'))).toBe('A2[5]');
    expect(elementLabel('dL_dZ1', [0, 0], null)).toBe('∂L/∂Z1[1,1]');
    expect(indexOf(9, tensorShapeIn(TANH_BATCHED, 'W1'))).toEqual([1, 1]);
  });

  it('describes flag keys for any network', () => {
    expect(describeFlagKey('stage:dL_dZ1', TANH_BATCHED)).toBe('stage ∂L/∂Z1');
    expect(describeFlagKey('B_act[1]', NOTEBOOK_MLP_CONFIG)).toBe('B_act[2]');
    expect(describeFlagKey('W1[0,1]', TANH_BATCHED)).toBe('W1[1,2]');
    expect(describeFlagKey('nope[0]', TANH_BATCHED)).toBe('nope[0]');
  });
});

describe('the sandbox and the gradient check stay quick', () => {
  it('the notebook trains the full 2000 epochs in the sandbox; a big network on many rows fewer', () => {
    const notebook = createLecture({ lectureId: 'N', title: 't', preset: 'notebook', seed: 1, learningRate: 1 });
    expect(sandboxEpochLimit(notebook)).toBe(SANDBOX_MAX_EPOCHS);
    const wide = mlpConfig({ inputs: 2, hidden: [16, 16, 16, 16].map((units) => ({ units, activation: 'relu' })), biases: true });
    const big = createLecture({
      lectureId: 'B',
      title: 't',
      preset: 'random',
      seed: 1,
      learningRate: 0.1,
      network: wide,
      dataset: { ...CIRCLE, count: 10_000 },
    });
    const limit = sandboxEpochLimit(big);
    expect(limit).toBeGreaterThanOrEqual(1);
    expect(limit).toBeLessThan(50);
  });

  it('a check covers a small batch whole and a big network on a few rows', () => {
    expect(affordableRows(16, 1)).toBe(1);
    expect(affordableRows(33, 100)).toBe(100);
    expect(affordableRows(865, 500)).toBeLessThan(20);
    expect(affordableRows(865, 500)).toBeGreaterThanOrEqual(1);
  });

  it("reads a snapshot's parameters and the rows of its pass", () => {
    const lecture = createLecture({ lectureId: 'C', title: 't', preset: 'random', seed: 2, learningRate: 0.1, network: TANH_BATCHED, dataset: CIRCLE });
    const s = toSnapshot(lecture);
    const params = snapshotParams(s)!;
    expect(params.weights.map((w) => w.length)).toEqual([16, 8]);
    expect(params.biases!.map((b) => b.length)).toEqual([8, 1]);
    expect(currentPass(snapshotNetwork(s))).toEqual({ start: 0, count: 10 });
    expect(currentPass(snapshotNetwork({ ...s, sampleIndex: 95 }))).toEqual({ start: 95, count: 5 });
    expect(snapshotParams({ ...s, tensors: {} })).toBeNull();
    // A forked sandbox reads the same.
    expect(snapshotParams(toSnapshot(forkLecture(s)))!.weights[0]).toEqual(params.weights[0]);
    expect(NOTEBOOK_MLP_CONFIG.batch).toBe(1);
  });
});
