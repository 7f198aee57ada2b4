/** What the views need to show collaboration: flags (the class's counts or a student's own) and element labels. */
import { flagKey, TENSOR_SHAPES, type FlagTarget, type PassStage, type PredictionUpdate, type TensorName } from '../../shared/index.js';
import { TENSOR_LABELS } from './format.js';

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

export const stageKey = (stage: PassStage) => flagKey({ type: 'stage', stage });
export const elementKey = (tensor: TensorName, index: readonly number[]) => flagKey({ type: 'element', tensor, index: [...index] });

/** The protocol's index of flat element k of a tensor: one number per axis. */
export function indexOf(tensor: TensorName, k: number): number[] {
  const shape: readonly number[] = TENSOR_SHAPES[tensor];
  return shape.length === 2 ? [Math.floor(k / shape[1]), k % shape[1]] : [k];
}

/**
 * An element as people read it, in the notation of the tensor cards: 1-based, and no index at
 * all for a one-number tensor ("C_act", "W[2,3]", "B_act[1]").
 */
export function elementLabel(tensor: TensorName, index: readonly number[]): string {
  const shape: readonly number[] = TENSOR_SHAPES[tensor];
  const label = TENSOR_LABELS[tensor] ?? tensor;
  if (shape.reduce((a, b) => a * b, 1) === 1) return label;
  if (shape.length === 2 && shape[1] === 1) return `${label}[${index[0] + 1}]`;
  return `${label}[${index.map((i) => i + 1).join(',')}]`;
}

/** A flag key in words, for the instructor's summary. */
export function describeFlagKey(key: string): string {
  if (key.startsWith('stage:')) return `stage ${TENSOR_LABELS[key.slice(6)] ?? key.slice(6)}`;
  const m = /^(\w+)\[([\d,]+)\]$/.exec(key);
  if (!m || !(m[1] in TENSOR_SHAPES)) return key;
  return elementLabel(m[1] as TensorName, m[2].split(',').map(Number));
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
