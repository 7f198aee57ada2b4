/** What the views need to show collaboration: flags (the class's counts or a student's own); element labels are shared/engine/mlp/tensor-names.ts's. */
import type { MlpConfig } from '../../shared/engine/mlp/config.js';
import type { PredictionUpdate } from '../../shared/protocol/collab.js';
import { parseFlagKey } from '../../shared/protocol/flag-key.js';
import { elementLabel, tensorLabel, tensorShapeIn } from '../../shared/engine/mlp/tensor-names.js';
import { unflatten } from './names.js';

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

/** The protocol's index of flat element k of a tensor of this shape (unknown: one axis). */
export function indexOf(k: number, shape: readonly number[] | null): number[] {
  return unflatten(shape ?? [k + 1], k);
}

/** A flag key in words, for the instructor's summary, labelled by the network's shapes; the key itself when it names nothing of it. */
export function describeFlagKey(key: string, network: MlpConfig): string {
  const target = parseFlagKey(key);
  if (!target) return key;
  if (target.type === 'stage') return `stage ${tensorLabel(target.stage)}`;
  const shape = tensorShapeIn(network, target.tensor);
  return shape ? elementLabel(target.tensor, target.index, shape) : key;
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
