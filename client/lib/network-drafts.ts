/**
 * What the instructor's setup panel edits before it sends anything: a draft of the network and a
 * draft of the generated data, the commands they turn into, and the panel's sentences. Pure: no
 * DOM, no Lit.
 */
import { POINT_DEFAULTS, type PointSet } from '../../shared/datasets/points.js';
import type { DatasetSpec } from '../../shared/datasets/spec.js';
import { TRUTH_TABLE_INPUTS, type TruthTable } from '../../shared/datasets/truth-tables.js';
import { layerSizes, NOTEBOOK_MLP_CONFIG, type Activation, type Loss, type MlpConfig, type OutputActivation } from '../../shared/engine/mlp/config.js';
import type { Command } from '../../shared/protocol/commands.js';
import { LOSS_SPECS } from '../../shared/engine/mlp/losses.js';
import type { FileIssue } from './api.js';

export type BatchMode = 'sample' | 'mini' | 'full';
export type DataKind = 'truthTable' | 'points' | 'csv';

export interface HiddenLayerDraft {
  readonly units: number;
  readonly activation: Activation;
}

/** The architecture being edited, before it is sent. */
export interface NetworkDraft {
  readonly hidden: readonly HiddenLayerDraft[];
  readonly output: OutputActivation;
  readonly loss: Loss;
  readonly biases: boolean;
  readonly batchMode: BatchMode;
  readonly batchSize: number;
}

/** The generated dataset being chosen, before it is sent. */
export interface DataDraft {
  readonly kind: DataKind;
  readonly table: TruthTable;
  readonly tableInputs: number;
  readonly set: PointSet;
  readonly count: number;
  readonly noise: number;
  readonly trainFraction: number;
  readonly seed: number;
}

/** The mini-batch size a draft offers when the network it starts from has none. */
export const DEFAULT_MINI_BATCH = 10;

export function networkDraft(c: MlpConfig): NetworkDraft {
  return {
    hidden: c.hidden.map((h) => ({ units: h.units, activation: h.activation })),
    output: c.output.activation,
    loss: c.loss,
    biases: c.biases,
    batchMode: c.batch === 'full' ? 'full' : c.batch === 1 ? 'sample' : 'mini',
    batchSize: typeof c.batch === 'number' && c.batch > 1 ? c.batch : DEFAULT_MINI_BATCH,
  };
}

export function dataDraft(spec: DatasetSpec): DataDraft {
  const base: DataDraft = {
    kind: 'truthTable',
    table: 'notebook',
    tableInputs: TRUTH_TABLE_INPUTS.default,
    set: 'circle',
    count: POINT_DEFAULTS.count,
    noise: POINT_DEFAULTS.noise,
    trainFraction: POINT_DEFAULTS.trainFraction,
    seed: POINT_DEFAULTS.seed,
  };
  switch (spec.kind) {
    case 'truthTable':
      return { ...base, table: spec.table, tableInputs: spec.inputs ?? TRUTH_TABLE_INPUTS.default };
    case 'points':
      return { ...base, kind: 'points', set: spec.set, count: spec.count, noise: spec.noise, trainFraction: spec.trainFraction, seed: spec.seed };
    case 'csv':
      return { ...base, kind: 'csv' };
  }
}

/**
 * The setNetwork command a draft asks for (a network without `inputs`, which follow the data); a
 * weights seed, when given, picks the random preset with it.
 */
export function networkCommand(d: NetworkDraft, seed: string): Command {
  const network = {
    hidden: d.hidden.map((h) => ({ units: h.units, activation: h.activation })),
    output: { units: 1, activation: d.output },
    loss: d.loss,
    biases: d.biases,
    batch: d.batchMode === 'full' ? ('full' as const) : d.batchMode === 'sample' ? 1 : d.batchSize,
  };
  const weights = seed.trim() === '' ? {} : { preset: 'random' as const, seed: Number(seed) };
  return { type: 'setNetwork', network, ...weights };
}

/** The generated data a draft names (a CSV draft has none: its rows come by upload). */
export function datasetSpec(d: DataDraft): DatasetSpec {
  if (d.kind === 'points') return { kind: 'points', set: d.set, count: d.count, noise: d.noise, trainFraction: d.trainFraction, seed: d.seed };
  return d.table === 'notebook' ? { kind: 'truthTable', table: 'notebook' } : { kind: 'truthTable', table: d.table, inputs: d.tableInputs };
}

/** The notebook's truth table, then its network with its weights: every name and number as in the notebook. */
export function notebookCommands(): readonly [Command, Command] {
  const { inputs: _followsTheData, ...network } = NOTEBOOK_MLP_CONFIG;
  return [
    { type: 'setDataset', dataset: { kind: 'truthTable', table: 'notebook' } },
    { type: 'setNetwork', network, preset: 'notebook' },
  ];
}

/**
 * The setup panel's "Now:" line, "2-4-1 · tanh, sigmoid out · cross-entropy · biases · per sample"
 * (the command log words a network with describeNetwork in describe.ts).
 */
export function networkSummary(c: MlpConfig): string {
  const batch = c.batch === 'full' ? 'full batch' : c.batch === 1 ? 'per sample' : `batches of ${c.batch}`;
  const acts = [...new Set(c.hidden.map((h) => h.activation))].join('/');
  return [layerSizes(c).join('-'), `${acts}, ${c.output.activation} out`, LOSS_SPECS[c.loss].name, c.biases ? 'biases' : 'no biases', batch].join(' · ');
}

/** "line 3, column 2: …": the parser's messages name their place already; any other gets it in front. */
export function describeIssue(i: FileIssue): string {
  if (i.line === 0 || i.message.startsWith(`line ${i.line}`)) return i.message;
  const where = i.column === null ? `line ${i.line}` : `line ${i.line}, column ${i.column}`;
  return `${where}: ${i.message}`;
}
