import { z } from 'zod';
import { LOSS_SPECS } from './losses.js';

/**
 * The architecture and training rule of a small multilayer perceptron. The notebook's network is
 * one point of this space (NOTEBOOK_MLP_CONFIG); every other point uses layer-indexed names
 * (see layout.ts and docs/networks.md). The learning rate is not here: it lives in the state,
 * because a lecture changes it without changing the network.
 */

export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const OUTPUT_ACTIVATIONS = ['sigmoid', 'linear'] as const;
export type OutputActivation = (typeof OUTPUT_ACTIVATIONS)[number];
/** `halfSquaredError`: the notebook's ½(y − ŷ)²; `crossEntropy`: binary cross-entropy, needs a sigmoid output. */
export const LOSSES = ['halfSquaredError', 'crossEntropy'] as const;
export type Loss = (typeof LOSSES)[number];

export const MLP_LIMITS = {
  maxInputs: 16,
  minHiddenLayers: 1,
  maxHiddenLayers: 4,
  maxUnits: 16,
  maxOutputs: 16,
  maxBatchSize: 10_000,
} as const;

export interface MlpLayerConfig {
  readonly units: number;
  readonly activation: Activation;
}

export interface MlpConfig {
  /** Input features (the notebook: 3). */
  readonly inputs: number;
  /** 1 to 4 hidden layers of 1 to 16 units each. */
  readonly hidden: readonly MlpLayerConfig[];
  readonly output: { readonly units: number; readonly activation: OutputActivation };
  readonly loss: Loss;
  readonly biases: boolean;
  /**
   * 1: per-sample SGD, the notebook's rule (tensors have no batch dimension).
   * k ≥ 2: mini-batches of k consecutive rows (the last one of an epoch may be smaller).
   * 'full': one batch of every row. Batched tensors gain a leading batch dimension.
   */
  readonly batch: number | 'full';
}

/** The teaching notebook's 3-4-1 sigmoid network without biases, ½(y − ŷ)², per-sample SGD. */
export const NOTEBOOK_MLP_CONFIG: MlpConfig = {
  inputs: 3,
  hidden: [{ units: 4, activation: 'sigmoid' }],
  output: { units: 1, activation: 'sigmoid' },
  loss: 'halfSquaredError',
  biases: false,
  batch: 1,
};

/** Whether a config is exactly the notebook's: then stages and tensors keep the notebook's names. */
export function isNotebookConfig(c: MlpConfig): boolean {
  return (
    c.inputs === 3 &&
    c.hidden.length === 1 &&
    c.hidden[0].units === 4 &&
    c.hidden[0].activation === 'sigmoid' &&
    c.output.units === 1 &&
    c.output.activation === 'sigmoid' &&
    c.loss === 'halfSquaredError' &&
    !c.biases &&
    c.batch === 1
  );
}

/**
 * Whether the notebook's recovered weights fit a config: any 3-4-1 network (its activations, loss,
 * biases and batch may differ). The one rule of the notebook preset, asked by the decider, the
 * engine's initialisation and the instructor's controls.
 */
export function notebookWeightsFit(c: MlpConfig): boolean {
  return layerSizes(c).join('-') === '3-4-1';
}

/** Layer sizes n0 (inputs), n1, …, nL (outputs). */
export function layerSizes(c: MlpConfig): number[] {
  return [c.inputs, ...c.hidden.map((h) => h.units), c.output.units];
}

/** The activation of layer l = 1..L (index l − 1). */
export function layerActivations(c: MlpConfig): Activation[] {
  return [...c.hidden.map((h) => h.activation), c.output.activation];
}

/** Number of trainable parameters (weights and, when on, biases). */
export function parameterCount(c: MlpConfig): number {
  const sizes = layerSizes(c);
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l - 1] * sizes[l] + (c.biases ? sizes[l] : 0);
  return n;
}

const oneOf = (what: string, names: readonly string[]) => `${what} must be one of ${names.join(', ')}`;
const count = z.number({ error: 'must be a number' });

const LayerSchema = z.strictObject(
  {
    units: count,
    activation: z.enum(ACTIVATIONS, { error: oneOf('activation', ACTIVATIONS) }),
  },
  { error: 'must be {units, activation}' },
);

/**
 * The zod schema of a config. Missing fields take the notebook's values (loss, biases off,
 * per-sample batches, one sigmoid output). Range checks are in superRefine so the messages can
 * say which layer is wrong ("hidden layer 2 has 20 neurons; at most 16").
 */
export const MlpConfigSchema = z
  .strictObject({
    inputs: count,
    hidden: z.array(LayerSchema, { error: 'hidden must be a list of layers' }),
    output: z
      .strictObject({
        units: count.default(1),
        activation: z.enum(OUTPUT_ACTIVATIONS, { error: oneOf('output activation', OUTPUT_ACTIVATIONS) }).default('sigmoid'),
      })
      .default({ units: 1, activation: 'sigmoid' }),
    loss: z.enum(LOSSES, { error: oneOf('loss', LOSSES) }).default('halfSquaredError'),
    biases: z.boolean({ error: 'biases must be true or false' }).default(false),
    batch: z.union([count, z.literal('full')], { error: 'batch must be a whole number or "full"' }).default(1),
  })
  .superRefine((c, ctx) => {
    const L = MLP_LIMITS;
    const bad = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const whole = (x: number) => Number.isInteger(x);
    if (!whole(c.inputs) || c.inputs < 1 || c.inputs > L.maxInputs) {
      bad(['inputs'], `the network has ${c.inputs} inputs; it needs a whole number from 1 to ${L.maxInputs}`);
    }
    if (c.hidden.length < L.minHiddenLayers) bad(['hidden'], `the network needs at least ${L.minHiddenLayers} hidden layer`);
    if (c.hidden.length > L.maxHiddenLayers) {
      bad(['hidden'], `the network has ${c.hidden.length} hidden layers; at most ${L.maxHiddenLayers}`);
    }
    c.hidden.forEach((h, i) => {
      if (!whole(h.units)) bad(['hidden', i, 'units'], `hidden layer ${i + 1} has ${h.units} neurons; it needs a whole number`);
      else if (h.units < 1) bad(['hidden', i, 'units'], `hidden layer ${i + 1} has ${h.units} neurons; at least 1`);
      else if (h.units > L.maxUnits) bad(['hidden', i, 'units'], `hidden layer ${i + 1} has ${h.units} neurons; at most ${L.maxUnits}`);
    });
    if (!whole(c.output.units) || c.output.units < 1 || c.output.units > L.maxOutputs) {
      bad(['output', 'units'], `the output layer has ${c.output.units} units; it needs a whole number from 1 to ${L.maxOutputs}`);
    }
    const needs = LOSS_SPECS[c.loss].needs;
    if (needs && c.output.activation !== needs.output) {
      bad(['loss'], `${LOSS_SPECS[c.loss].fullName} needs a ${needs.output} output (${needs.why})`);
    }
    if (c.batch !== 'full' && (!whole(c.batch) || c.batch < 1 || c.batch > L.maxBatchSize)) {
      bad(['batch'], `batch size ${c.batch} is not allowed; use a whole number from 1 to ${L.maxBatchSize}, or "full"`);
    }
  });

export type MlpConfigResult = { readonly ok: true; readonly config: MlpConfig } | { readonly ok: false; readonly errors: readonly string[] };

function describePath(path: readonly PropertyKey[]): string {
  if (path[0] === 'hidden' && typeof path[1] === 'number') {
    return [`hidden layer ${path[1] + 1}`, ...path.slice(2).map(String)].join(' ');
  }
  return path.map(String).join(' ');
}

/** Validates a config; never throws. Errors are sentences a teacher can act on. */
export function parseMlpConfig(input: unknown): MlpConfigResult {
  const parsed = MlpConfigSchema.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data as MlpConfig };
  const errors = parsed.error.issues.map((issue) => {
    if (issue.code === 'custom' || issue.path.length === 0) return issue.message;
    return `${describePath(issue.path)}: ${issue.message}`;
  });
  return { ok: false, errors };
}

/** Like parseMlpConfig, for configs written in code: throws with every error joined. */
export function mlpConfig(input: unknown): MlpConfig {
  const r = parseMlpConfig(input);
  if (!r.ok) throw invalidNetwork(r.errors);
  return r.config;
}

/**
 * Throws, as mlpConfig does, unless a config keeps parseMlpConfig's rules: the engine checks the
 * networks it is handed with the same schema a command's network passes, so one built in code
 * cannot pair a loss with an output it has no gradient for (cross-entropy after a linear output
 * would report BCE(σ(z)) but descend z − y).
 */
export function assertMlpConfig(config: MlpConfig): void {
  const r = parseMlpConfig(config);
  if (!r.ok) throw invalidNetwork(r.errors);
}

function invalidNetwork(errors: readonly string[]): Error {
  return new Error(`invalid network: ${errors.join('; ')}`);
}
