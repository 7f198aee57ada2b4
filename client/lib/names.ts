/**
 * Names of any network's tensors and stages, as people read them: plain text for labels
 * ("∂L/∂W1", "B_act") and LaTeX for equations ("W^{[1]}_{12}", "B_{act,2}"). The notebook's
 * network keeps its notation (A, W, B_act, …); other networks are layer-indexed (docs/networks.md,
 * "One notation"): the stage strip, the diagram's headings and node labels, the tensor cards and
 * the equations' titles all take their words from here, so they name the same things alike.
 * Also the shape a tensor has (or will have) in the pass a snapshot is in, and element indices.
 */
import type { DatasetSpec } from '../../shared/datasets/spec.js';
import type { Dataset } from '../../shared/datasets/types.js';
import type { Activation, MlpConfig } from '../../shared/engine/mlp/config.js';
import { mlpLayout, mlpTensorShape, type MlpLayout } from '../../shared/engine/mlp/layout.js';
import { packedData } from '../../shared/lecture/setup.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { ACTIVATION_SPECS } from '../../shared/engine/mlp/activations.js';
import { own } from '../../shared/engine/tensor.js';
import { upcomingPassRows } from '../../shared/lecture/pass.js';
import { snapshotNetwork } from '../../shared/lecture/snapshot-network.js';
import { derivativeParts, elementText, tensorLabel } from '../../shared/engine/mlp/tensor-names.js';

/** A symbol split for LaTeX: base letter, layer (superscript), and a name part that joins the subscript (B_act → act). */
interface Symbol {
  readonly base: string;
  readonly layer: string | null;
  readonly tag: string | null;
}

function symbolOf(name: string): Symbol {
  const layered = /^([A-Za-z])(\d+)$/.exec(name);
  if (layered) return { base: layered[1], layer: layered[2], tag: null };
  const tagged = /^([A-Za-z])_(\w+)$/.exec(name);
  if (tagged) return { base: tagged[1], layer: null, tag: tagged[2] };
  return { base: name, layer: null, tag: null };
}

/** One index entry: a number (0-based, shown 1-based) or a letter such as "j". */
export type IndexPart = number | string;

/** A subscript: single characters joined ("12", "ij"), anything longer separated by commas ("12,3"). */
function subscript(parts: readonly string[]): string {
  if (parts.length === 0) return '';
  const body = parts.every((p) => p.length === 1) ? parts.join('') : parts.join(',');
  return body.length === 1 ? `_${body}` : `_{${body}}`;
}

function plainTex(name: string, index: readonly IndexPart[]): string {
  const { base, layer, tag } = symbolOf(name);
  const shown = index.map((p) => (typeof p === 'number' ? String(p + 1) : p));
  const sup = layer === null ? '' : `^{[${layer}]}`;
  if (tag !== null) return `${base}${sup}_{${[tag, ...shown].join(',')}}`;
  return `${base}${sup}${subscript(shown)}`;
}

/** `\frac{\partial L}{\partial W_{12}}` for a derivative, or the symbol itself. */
export function tensorTex(name: string, index: readonly IndexPart[] = []): string {
  const parts = derivativeParts(name);
  if (!parts) return plainTex(name, index);
  const [num, den] = parts;
  // The numerator is indexed like the denominator when it is per unit too (∂A_j/∂Z_j), never for L.
  const numIndex = num === 'L' ? [] : index;
  return `\\frac{\\partial ${plainTex(num, numIndex)}}{\\partial ${plainTex(den, index)}}`;
}

/** Whether a tensor has one row per sample of the pass (activations, y, L and their gradients), as opposed to parameters and their gradients. */
export function isPerRow(layout: MlpLayout, name: string): boolean {
  if (layout.parameters.includes(name)) return false;
  return !layout.layers.some((n) => n.dL_dW === name || n.dL_db === name);
}

/** The shape a tensor has in the snapshot, or will have once its stage runs in this pass (or the next, after `update`). */
export function snapshotShape(s: Snapshot, name: string): number[] {
  const t = own(s.tensors, name);
  if (t) return [...t.shape];
  try {
    return mlpTensorShape(s.network, name, upcomingPassRows(snapshotNetwork(s)));
  } catch {
    return [1];
  }
}

/** The index (one number per axis) of flat element k in a shape. */
export function unflatten(shape: readonly number[], k: number): number[] {
  return shape.length === 2 ? [Math.floor(k / shape[1]), k % shape[1]] : [k];
}

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
/** 12 → "₁₂". */
const subscriptDigits = (k: number) => [...String(k)].map((d) => SUBSCRIPTS[Number(d)]).join('');

/**
 * One element of a parameter (a weight or a bias) as the diagram's edges and the gradient check
 * name it: the notebook's network in its own notation, W₁₂ and V₃ (one subscript for its one
 * output column); every other network as the tensor cards write its elements, W1[1,2], W3[2], b1[4].
 * `index` is the protocol's, 0-based, one number per axis of the parameter's shape.
 */
export function weightLabel(config: MlpConfig, tensor: string, index: readonly number[]): string {
  const shape = mlpTensorShape(config, tensor);
  if (!mlpLayout(config).notebook) return elementText(tensor, shape, index);
  const shown = shape.length === 2 && shape[1] === 1 ? index.slice(0, 1) : index;
  return `${tensor}${shown.map((i) => subscriptDigits(i + 1)).join('')}`;
}

/** Which layer (0 = the input) a per-unit tensor belongs to, for the diagram; null for L and the parameters. */
export function unitLayer(layout: MlpLayout, name: string): number | null {
  if (name === layout.input) return 0;
  if (name === 'y') return layout.layers.length;
  const i = layout.layers.findIndex((n) => n.Z === name || n.A === name || n.dL_dA === name || n.dA_dZ === name || n.dL_dZ === name);
  return i >= 0 ? i + 1 : null;
}

/** The network of a snapshot in a few words: "3-4-1" and so on. */
export function networkShapeText(config: MlpConfig): string {
  return mlpLayout(config).sizes.join('-');
}

/** The phase of a stage of this network (forward, backward, update), or null when idle or unknown. */
export function phaseOf(config: MlpConfig, stage: string): 'forward' | 'backward' | 'update' | null {
  return mlpLayout(config).stages.find((s) => s.stage === stage)?.phase ?? null;
}

/** The accent colour of a phase: forward, backward and update stages share it across the views. */
export function phaseAccent(phase: 'forward' | 'backward' | 'update' | null): string {
  return phase === 'backward' ? 'var(--backward)' : phase === 'update' ? 'var(--update)' : 'var(--forward)';
}

/** The dataset a spec describes (memoised), or null when it cannot be made (a view never throws over it). */
export function packedDataset(spec: DatasetSpec): Dataset | null {
  try {
    return packedData(spec).dataset;
  } catch {
    return null;
  }
}

/** An activation applied, as the equations' titles and the diagram's headings write it: σ(Z1), tanh(Z1), relu(Z1), Z1. */
export function appliedText(fn: Activation, z: string): string {
  return ACTIVATION_SPECS[fn].text.applied(z);
}

/** A layer's forward formulas in words: "Z1 = A0·W1 + b1" and "A1 = tanh(Z1)". */
export function layerFormulaText(layout: MlpLayout, layer: number, what: 'matmul' | 'activation'): string {
  const n = layout.layers[layer - 1];
  if (what === 'activation') return `${tensorLabel(n.A)} = ${appliedText(layout.activations[layer - 1], tensorLabel(n.Z))}`;
  const prev = layer === 1 ? layout.input : layout.layers[layer - 2].A;
  return `${tensorLabel(n.Z)} = ${tensorLabel(prev)}·${tensorLabel(n.W)}${n.b ? ` + ${tensorLabel(n.b)}` : ''}`;
}

/**
 * The diagram's heading over column c (0 = the inputs) of a layer-indexed network: the tensors its
 * nodes hold, "A0 · inputs", "A1 = tanh(Z1)", the output's "ŷ = A3 = σ(Z3)".
 */
export function columnHeading(layout: MlpLayout, c: number): string {
  if (c === 0) return `${tensorLabel(layout.input)} · inputs`;
  const formula = layerFormulaText(layout, c, 'activation');
  return c === layout.layers.length ? `ŷ = ${formula}` : formula;
}

/**
 * What a big (one-number) node of column c shows, for the row under the headings, given which
 * tensors the pass has computed: the input A0, then per layer the gradient going backward once
 * computed (∂L/∂Z1, else ∂L/∂A1), else the activation A1, else Z1 (at the Z stage), else nothing yet.
 */
export function columnShows(layout: MlpLayout, c: number, backward: boolean, has: (name: string) => boolean): string {
  if (c === 0) return tensorLabel(layout.input);
  const n = layout.layers[c - 1];
  const label = [backward ? n.dL_dZ : null, backward ? n.dL_dA : null, n.A, n.Z].find((name): name is string => name !== null && has(name));
  return label ? tensorLabel(label) : '';
}

/** A diagram node's label for unit j of a per-unit tensor of a layer `width` wide: the tensor cards' "Z1[3]" ("Z3" for one unit). */
export function unitLabel(name: string, width: number, j: number): string {
  return elementText(name, [width], [j]);
}
