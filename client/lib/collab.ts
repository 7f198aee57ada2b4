/** What the views need to show collaboration: flags (the class's counts or a student's own) and element labels. */
import { flagKey, mlpLayout, mlpTensorShape, NOTEBOOK_MLP_CONFIG, type FlagTarget, type MlpConfig, type PredictionUpdate } from '../../shared/index.js';
import { elementText, tensorLabel, unflatten } from './names.js';

/**
 * Flags as one view shows them. The instructor sees `counts` (heat marks); a student sees
 * `mine` and may toggle them. Null anywhere flags are not part of the picture (replay, sandbox).
 */
export interface FlagView {
  /** Instructor: how many students flagged each key (`stage:B_act`, `W[1,3]`). */
  readonly counts: Readonly<Record<string, number>> | null;
  /** Student: the keys this student flagged; null when the student cannot flag here. */
  readonly mine: ReadonlySet<string> | null;
}

export const stageKey = (stage: string) => flagKey({ type: 'stage', stage });
export const elementKey = (tensor: string, index: readonly number[]) => flagKey({ type: 'element', tensor, index: [...index] });

/** The notebook network's shape of one of its tensor names, or null for any other name. */
function notebookShape(tensor: string): readonly number[] | null {
  return tensorShapeIn(NOTEBOOK_MLP_CONFIG, tensor);
}

/**
 * A tensor's shape in a network, as far as it is known without the pass: a batched tensor's row
 * count is not, so it is taken as "several" (its labels then always name the row).
 */
export function tensorShapeIn(network: MlpConfig, tensor: string): readonly number[] | null {
  if (!mlpLayout(network).tensorNames.includes(tensor)) return null;
  return mlpTensorShape(network, tensor, 2);
}

/** The protocol's index of flat element k in a shape: one number per axis. */
export const indexIn = unflatten;

/** The protocol's index of flat element k of a tensor; give its shape (the notebook's names know theirs). */
export function indexOf(tensor: string, k: number, shape: readonly number[] | null = notebookShape(tensor)): number[] {
  return indexIn(shape ?? [k + 1], k);
}

/**
 * An element as people read it, in the notation of the tensor cards: 1-based, and no index at
 * all for a one-number tensor ("C_act", "W[2,3]", "B_act[1]", "∂L/∂W1[1,2]"). Without a shape
 * (and for names the notebook does not have) every index is printed.
 */
export function elementLabel(tensor: string, index: readonly number[], shape: readonly number[] | null = notebookShape(tensor)): string {
  if (shape) return elementText(tensor, shape, index);
  return `${tensorLabel(tensor)}[${index.map((i) => i + 1).join(',')}]`;
}

/** A flag key in words, for the instructor's summary; with the network, its shapes shape the label. */
export function describeFlagKey(key: string, network?: MlpConfig): string {
  if (key.startsWith('stage:')) return `stage ${tensorLabel(key.slice(6))}`;
  const m = /^(\w+)\[([\d,]+)\]$/.exec(key);
  if (!m) return key;
  const shape = network ? tensorShapeIn(network, m[1]) : notebookShape(m[1]);
  if (network && !shape) return key;
  return elementLabel(m[1], m[2].split(',').map(Number), shape);
}

export function targetKey(target: FlagTarget): string {
  return flagKey(target);
}

/** Who is looking at a prediction: a student answers, the instructor watches answers come in, a replay only shows. */
export type PredictionRole = 'student' | 'instructor' | 'view';

/** What a view needs beyond the snapshot's `prediction` to show the question to this person. */
export interface PredictionContext {
  readonly mode: PredictionRole;
  /** Student: the answer this student gave. */
  readonly mine: number | null;
  /** Instructor: the live aggregate. */
  readonly aggregate: PredictionUpdate | null;
  readonly error: string | null;
  readonly busy: boolean;
}
