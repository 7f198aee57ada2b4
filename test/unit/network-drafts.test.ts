import { describe, expect, it } from 'vitest';
import type { DatasetSpec } from '../../shared/datasets/spec.js';
import { mlpConfig, NOTEBOOK_MLP_CONFIG } from '../../shared/engine/mlp/config.js';
import { parseCommand } from '../../shared/protocol/commands.js';
import {
  dataDraft,
  datasetSpec,
  describeIssue,
  networkSummary,
  networkCommand,
  networkDraft,
  notebookCommands,
} from '../../client/lib/network-drafts.js';

const { inputs: _notebookInputs, ...notebookNetwork } = NOTEBOOK_MLP_CONFIG;

describe('network drafts', () => {
  it("a draft of the notebook's network turns back into the notebook's network command", () => {
    const command = networkCommand(networkDraft(NOTEBOOK_MLP_CONFIG), '');
    expect(command).toEqual({ type: 'setNetwork', network: notebookNetwork });
    expect(parseCommand(command).ok).toBe(true);
  });

  it('batch modes map to 1, k and full, and back', () => {
    const base = networkDraft(NOTEBOOK_MLP_CONFIG);
    const batchOf = (d: typeof base) => {
      const c = networkCommand(d, '');
      return c.type === 'setNetwork' ? c.network.batch : undefined;
    };
    expect(base.batchMode).toBe('sample');
    expect(batchOf({ ...base, batchMode: 'sample', batchSize: 7 })).toBe(1);
    expect(batchOf({ ...base, batchMode: 'mini', batchSize: 7 })).toBe(7);
    expect(batchOf({ ...base, batchMode: 'full', batchSize: 7 })).toBe('full');

    const mini = networkDraft(mlpConfig({ ...NOTEBOOK_MLP_CONFIG, batch: 16 }));
    expect([mini.batchMode, mini.batchSize]).toEqual(['mini', 16]);
    const full = networkDraft(mlpConfig({ ...NOTEBOOK_MLP_CONFIG, batch: 'full' }));
    expect([full.batchMode, full.batchSize]).toEqual(['full', 10]);
  });

  it('a weights seed picks the random preset with it; without one the command names no weights', () => {
    const draft = networkDraft(NOTEBOOK_MLP_CONFIG);
    expect(networkCommand(draft, ' 42 ')).toMatchObject({ preset: 'random', seed: 42 });
    expect(networkCommand(draft, '  ')).not.toHaveProperty('preset');
  });

  it('back to the notebook: its truth table, then its network with its weights', () => {
    expect(notebookCommands()).toEqual([
      { type: 'setDataset', dataset: { kind: 'truthTable', table: 'notebook' } },
      { type: 'setNetwork', network: notebookNetwork, preset: 'notebook' },
    ]);
  });
});

describe('data drafts', () => {
  it('generated data round-trips through its draft', () => {
    const specs: DatasetSpec[] = [
      { kind: 'truthTable', table: 'notebook' },
      { kind: 'truthTable', table: 'xor', inputs: 3 },
      { kind: 'points', set: 'spiral', count: 300, noise: 0.1, trainFraction: 0.5, seed: 2 },
    ];
    for (const spec of specs) expect(datasetSpec(dataDraft(spec))).toEqual(spec);
  });

  it('an uploaded table becomes a CSV draft', () => {
    expect(dataDraft({ kind: 'csv', name: 'a.csv', digest: 'a'.repeat(64), trainFraction: 1, seed: 1 }).kind).toBe('csv');
  });
});

describe('setup sentences', () => {
  it("describe the lecture's network", () => {
    expect(networkSummary(NOTEBOOK_MLP_CONFIG)).toBe('3-4-1 · sigmoid, sigmoid out · ½(y − ŷ)² · no biases · per sample');
    const deep = mlpConfig({ inputs: 2, hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'relu' }], loss: 'crossEntropy', biases: true, batch: 10 });
    expect(networkSummary(deep)).toBe('2-8-8-1 · tanh/relu, sigmoid out · cross-entropy · biases · batches of 10');
  });

  it('put the place of a file issue in front unless the message names it', () => {
    expect(describeIssue({ line: 3, column: 2, message: 'not a number' })).toBe('line 3, column 2: not a number');
    expect(describeIssue({ line: 4, column: null, message: 'too few cells' })).toBe('line 4: too few cells');
    expect(describeIssue({ line: 3, column: 2, message: 'line 3, column 2 ("x2"): "abc" is not a number' })).toBe('line 3, column 2 ("x2"): "abc" is not a number');
    expect(describeIssue({ line: 0, column: null, message: 'the file is empty' })).toBe('the file is empty');
  });
});
