import { ACTIVATION_SPECS } from './activations.js';
import { isNotebookConfig, layerActivations, layerSizes, type Activation, type Loss, type MlpConfig } from './config.js';
import { LOSS_SPECS } from './losses.js';

/**
 * The names, stages and formulas of a network, derived from its config once (memoised per
 * config object). With the notebook's config every name is the notebook's (A, W, B, B_act, V,
 * C, C_act, …); otherwise they are layer-indexed: A0 the input, Zl = A(l−1)·Wl + bl, Al = f(Zl),
 * L the loss, dL_dX the gradient of the loss with respect to X, dAl_dZl the activation's slope.
 * docs/networks.md lists the formula of every stage.
 */

/** What every formula has: the tensors it reads, by name, in the order it uses them, and itself in plain text. */
interface FormulaBase {
  readonly inputs: readonly string[];
  /** A plain-text rendering, e.g. "Z1 = A0·W1 + b1". */
  readonly text: string;
}

/**
 * What a stage computes, for an equation panel (or a notebook) to render; one variant per kind,
 * each with only its own fields. `inputs` per kind:
 * - input: none; loads `produces` = [A0, y] from the dataset row(s)
 * - matmul: [A, W] or [A, W, b] → A·W (+ b)
 * - activation: [Z] → fn(Z)
 * - loss: [ŷ, y] → fn(y, ŷ) (`fromLogits`: computed from the output's Z, given as a third input)
 * - lossGrad: [ŷ, y] → ŷ − y: dL/dŷ, or with `fused` (cross-entropy after a sigmoid) dL/dZ directly
 * - activationGrad: what the activation's slope is written through (activations.ts `slopeFrom`):
 *   [A] (sigmoid: A⊙(1 − A), tanh: 1 − A²), [Z] (relu: 1 where Z > 0, else 0) or [] (linear: 1)
 * - hadamard: [dL_dA, dA_dZ] → their elementwise product
 * - outer: [A, d…] → Aᵀ·δ where δ is the elementwise product of the other inputs (one input, or the
 *   notebook's dL_dC_act and dC_act_dC); `batchMean`: the mean over the batch's rows
 * - biasGrad: [dL_dZ] → dL_dZ (`batchMean`: the mean of its rows)
 * - backprop: [d…, W] → δ·Wᵀ, δ as for outer
 * - update: [P1, dL_dP1, P2, dL_dP2, …] → P ← P − η·dL_dP for each pair
 */
export type Formula =
  | (FormulaBase & { readonly kind: 'input' })
  | (FormulaBase & { readonly kind: 'matmul' })
  | (FormulaBase & { readonly kind: 'activation'; readonly fn: Activation })
  | (FormulaBase & { readonly kind: 'loss'; readonly fn: Loss; readonly fromLogits: boolean })
  | (FormulaBase & { readonly kind: 'lossGrad'; readonly fn: Loss; readonly fused: boolean })
  | (FormulaBase & { readonly kind: 'activationGrad'; readonly fn: Activation })
  | (FormulaBase & { readonly kind: 'hadamard' })
  | (FormulaBase & { readonly kind: 'outer'; readonly batchMean: boolean })
  | (FormulaBase & { readonly kind: 'biasGrad'; readonly batchMean: boolean })
  | (FormulaBase & { readonly kind: 'backprop' })
  | (FormulaBase & { readonly kind: 'update' });

export type FormulaKind = Formula['kind'];
/** The variant of one kind, for a renderer's case: FormulaOf<'activation'> has its `fn`. */
export type FormulaOf<K extends FormulaKind> = Extract<Formula, { readonly kind: K }>;

export type MlpPhase = 'forward' | 'backward' | 'update';

export interface MlpStageSpec {
  /** The stage's name: the name of the tensor it produces, or `input` / `update`. */
  readonly stage: string;
  readonly phase: MlpPhase;
  /** The layer the stage belongs to (1..L), 0 for input, null for loss and update. */
  readonly layer: number | null;
  readonly produces: readonly string[];
  readonly formula: Formula;
}

/** The names of one layer's tensors (l = 1..L). */
export interface LayerNames {
  readonly W: string;
  readonly b: string | null;
  readonly Z: string;
  readonly A: string;
  /** null for the output layer with cross-entropy (the loss is differentiated with respect to Z directly). */
  readonly dL_dA: string | null;
  readonly dA_dZ: string | null;
  /** null for the notebook's output layer, whose δ is never stored (dL_dV = B_actᵀ·(dL_dC_act·dC_act_dC)). */
  readonly dL_dZ: string | null;
  readonly dL_dW: string;
  readonly dL_db: string | null;
}

export interface MlpLayout {
  readonly notebook: boolean;
  /** n0 … nL. */
  readonly sizes: readonly number[];
  readonly activations: readonly Activation[];
  readonly input: string;
  readonly target: 'y';
  readonly loss: 'L';
  /** layers[l − 1] for l = 1..L. */
  readonly layers: readonly LayerNames[];
  /** W1, b1, W2, … (or W, V): the tensors `update` changes, in order. */
  readonly parameters: readonly string[];
  readonly stages: readonly MlpStageSpec[];
  /** Every tensor the network has, in stage order (parameters first). */
  readonly tensorNames: readonly string[];
  /** The stage that produces each tensor (parameters: `update`). */
  readonly producingStage: Readonly<Record<string, string>>;
  /** Whether tensors carry a leading batch dimension. */
  readonly batched: boolean;
}

const cache = new WeakMap<MlpConfig, MlpLayout>();

/** The layout of a config, computed once per config object. */
export function mlpLayout(config: MlpConfig): MlpLayout {
  let layout = cache.get(config);
  if (!layout) {
    layout = buildLayout(config);
    cache.set(config, layout);
  }
  return layout;
}

function notebookLayers(): LayerNames[] {
  return [
    { W: 'W', b: null, Z: 'B', A: 'B_act', dL_dA: 'dL_dB_act', dA_dZ: 'dB_act_dB', dL_dZ: 'dL_dB', dL_dW: 'dL_dW', dL_db: null },
    { W: 'V', b: null, Z: 'C', A: 'C_act', dL_dA: 'dL_dC_act', dA_dZ: 'dC_act_dC', dL_dZ: null, dL_dW: 'dL_dV', dL_db: null },
  ];
}

function indexedLayers(config: MlpConfig, count: number): LayerNames[] {
  const fused = LOSS_SPECS[config.loss].fused !== null;
  return Array.from({ length: count }, (_, i) => {
    const l = i + 1;
    const isOutput = l === count;
    return {
      W: `W${l}`,
      b: config.biases ? `b${l}` : null,
      Z: `Z${l}`,
      A: `A${l}`,
      dL_dA: isOutput && fused ? null : `dL_dA${l}`,
      dA_dZ: isOutput && fused ? null : `dA${l}_dZ${l}`,
      dL_dZ: `dL_dZ${l}`,
      dL_dW: `dL_dW${l}`,
      dL_db: config.biases ? `dL_db${l}` : null,
    };
  });
}

function slopeFormula(fn: Activation, n: LayerNames): Formula {
  const spec = ACTIVATION_SPECS[fn];
  const from = spec.slopeFrom === 'A' ? [n.A] : spec.slopeFrom === 'Z' ? [n.Z] : [];
  return { kind: 'activationGrad', fn, inputs: from, text: `${n.dA_dZ} = ${spec.text.slope(n.A, n.Z)}` };
}

function buildLayout(config: MlpConfig): MlpLayout {
  const notebook = isNotebookConfig(config);
  const sizes = layerSizes(config);
  const activations = layerActivations(config);
  const count = sizes.length - 1;
  const layers = notebook ? notebookLayers() : indexedLayers(config, count);
  const input = notebook ? 'A' : 'A0';
  const batched = config.batch !== 1;
  const k = batched ? '(1/k)·' : '';
  const stages: MlpStageSpec[] = [];
  const push = (stage: string, phase: MlpPhase, layer: number | null, produces: string[], formula: Formula) =>
    stages.push({ stage, phase, layer, produces, formula });

  push('input', 'forward', 0, [input, 'y'], { kind: 'input', inputs: [], text: `${input}, y ← the row${batched ? 's of the batch' : ''}` });
  for (let l = 1; l <= count; l++) {
    const n = layers[l - 1];
    const prev = l === 1 ? input : layers[l - 2].A;
    const fn = activations[l - 1];
    push(n.Z, 'forward', l, [n.Z], {
      kind: 'matmul',
      inputs: n.b ? [prev, n.W, n.b] : [prev, n.W],
      text: `${n.Z} = ${prev}·${n.W}${n.b ? ` + ${n.b}` : ''}`,
    });
    push(n.A, 'forward', l, [n.A], { kind: 'activation', fn, inputs: [n.Z], text: `${n.A} = ${ACTIVATION_SPECS[fn].text.applied(n.Z)}` });
  }
  const out = layers[count - 1];
  const loss = LOSS_SPECS[config.loss];
  const fromLogits = loss.fromLogits !== null;
  push('L', 'forward', null, ['L'], {
    kind: 'loss',
    fn: config.loss,
    fromLogits,
    inputs: fromLogits ? [out.A, 'y', out.Z] : [out.A, 'y'],
    text: loss.text.loss(out.A),
  });

  for (let l = count; l >= 1; l--) {
    const n = layers[l - 1];
    const prev = l === 1 ? input : layers[l - 2].A;
    const fn = activations[l - 1];
    if (l === count) {
      if (n.dL_dA) {
        push(n.dL_dA, 'backward', l, [n.dL_dA], { kind: 'lossGrad', fn: config.loss, fused: false, inputs: [n.A, 'y'], text: `${n.dL_dA} = ${n.A} − y` });
      } else {
        push(n.dL_dZ!, 'backward', l, [n.dL_dZ!], {
          kind: 'lossGrad',
          fn: config.loss,
          fused: true,
          inputs: [n.A, 'y'],
          text: `${n.dL_dZ} = ${n.A} − y (${loss.fused?.phrase})`,
        });
      }
    }
    if (n.dA_dZ) push(n.dA_dZ, 'backward', l, [n.dA_dZ], slopeFormula(fn, n));
    if (n.dL_dA && n.dA_dZ && n.dL_dZ) {
      push(n.dL_dZ, 'backward', l, [n.dL_dZ], { kind: 'hadamard', inputs: [n.dL_dA, n.dA_dZ], text: `${n.dL_dZ} = ${n.dL_dA}⊙${n.dA_dZ}` });
    }
    const delta = n.dL_dZ ? [n.dL_dZ] : [n.dL_dA!, n.dA_dZ!];
    const deltaText = n.dL_dZ ?? `(${n.dL_dA}·${n.dA_dZ})`;
    push(n.dL_dW, 'backward', l, [n.dL_dW], { kind: 'outer', inputs: [prev, ...delta], batchMean: batched, text: `${n.dL_dW} = ${k}${prev}ᵀ·${deltaText}` });
    if (n.b && n.dL_db) {
      push(n.dL_db, 'backward', l, [n.dL_db], {
        kind: 'biasGrad',
        inputs: [n.dL_dZ!],
        batchMean: batched,
        text: batched ? `${n.dL_db} = mean of the rows of ${n.dL_dZ}` : `${n.dL_db} = ${n.dL_dZ}`,
      });
    }
    if (l > 1) {
      const below = layers[l - 2];
      push(below.dL_dA!, 'backward', l, [below.dL_dA!], {
        kind: 'backprop',
        inputs: [...delta, n.W],
        text: `${below.dL_dA} = ${deltaText}·${n.W}ᵀ`,
      });
    }
  }

  const parameters = layers.flatMap((n) => (n.b ? [n.W, n.b] : [n.W]));
  const gradients = layers.flatMap((n) => (n.b ? [n.dL_dW, n.dL_db!] : [n.dL_dW]));
  push('update', 'update', null, parameters, {
    kind: 'update',
    inputs: parameters.flatMap((p, i) => [p, gradients[i]]),
    text: parameters.map((p, i) => `${p} ← ${p} − η·${gradients[i]}`).join(', '),
  });

  // No prototype: a tensor name from outside never finds Object.prototype's members here.
  const producingStage: Record<string, string> = Object.create(null);
  for (const s of stages) for (const p of s.produces) producingStage[p] = s.stage;
  const tensorNames = [...parameters, ...stages.filter((s) => s.stage !== 'update').flatMap((s) => s.produces)];
  return { notebook, sizes, activations, input, target: 'y', loss: 'L', layers, parameters, stages, tensorNames, producingStage, batched };
}

/** The stage that produces a tensor of this network, or undefined when it has no such tensor. */
export function mlpProducingStage(layout: MlpLayout, tensor: string): string | undefined {
  return Object.hasOwn(layout.producingStage, tensor) ? layout.producingStage[tensor] : undefined;
}

/** Every stage name of a pass, in order. */
export function mlpStageNames(layout: MlpLayout): string[] {
  return layout.stages.map((s) => s.stage);
}

/** Position of a stage in the pass; `idle` is −1. */
export function mlpStagePosition(layout: MlpLayout, stage: string): number {
  if (stage === 'idle') return -1;
  const i = layout.stages.findIndex((s) => s.stage === stage);
  if (i < 0) throw new Error(`no stage ${stage} in this network`);
  return i;
}

/**
 * The shape of a tensor when the pass covers `rows` rows. Parameters and their gradients never
 * have a batch dimension; per-row tensors (activations, y, L and their gradients) have one in
 * batched configs: [rows, n] (L: [rows]).
 */
export function mlpTensorShape(config: MlpConfig, name: string, rows = 1): number[] {
  const layout = mlpLayout(config);
  const { sizes, layers } = layout;
  const row = (n: number) => (layout.batched ? [rows, n] : [n]);
  if (name === layout.input) return row(sizes[0]);
  if (name === 'y') return row(sizes[sizes.length - 1]);
  if (name === 'L') return layout.batched ? [rows] : [1];
  for (let l = 1; l <= layers.length; l++) {
    const n = layers[l - 1];
    if (name === n.W || name === n.dL_dW) return [sizes[l - 1], sizes[l]];
    if (name === n.b || name === n.dL_db) return [sizes[l]];
    if (name === n.Z || name === n.A || name === n.dL_dA || name === n.dA_dZ || name === n.dL_dZ) return row(sizes[l]);
  }
  throw new Error(`no tensor ${name} in this network`);
}

/** The stages a command ran to get from `before` to `after` (a complete or unbegun pass starts at `input`). */
export function mlpStagesRun(layout: MlpLayout, before: string, after: string): string[] {
  if (after === 'idle') return [];
  const from = before === 'idle' || before === 'update' ? 0 : mlpStagePosition(layout, before) + 1;
  return mlpStageNames(layout).slice(from, mlpStagePosition(layout, after) + 1);
}

/** Whether the pass standing at `stage` has computed `tensor` already (a complete pass counts as not begun). */
export function mlpComputedInPass(layout: MlpLayout, stage: string, tensor: string): boolean {
  if (stage === 'idle' || stage === 'update') return false;
  const producer = mlpProducingStage(layout, tensor);
  if (producer === undefined || producer === 'update') return false;
  return mlpStagePosition(layout, stage) >= mlpStagePosition(layout, producer);
}
