/** What the views need to show collaboration: flags (the class's counts or a student's own) and element labels. */
import type { MlpConfig } from '../../shared/engine/mlp/config.js';
import { mlpLayout, mlpTensorShape } from '../../shared/engine/mlp/layout.js';
import type { PredictionUpdate } from '../../shared/protocol/collab.js';
import { parseFlagKey } from '../../shared/protocol/flag-key.js';
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

/**
 * How many rows a label takes a batched tensor to have. Not the pass's (shared/lecture/pass.ts
 * knows those): a label says the same in every pass, so a batched tensor's element always names
 * its row (A2[5], never a bare A2 in a pass of one row).
 */
const LABEL_ROWS = 2;

/** A tensor's shape in a network as element labels read it (LABEL_ROWS rows when batched), or null for a name it does not have. */
export function tensorShapeIn(network: MlpConfig, tensor: string): readonly number[] | null {
  if (!mlpLayout(network).tensorNames.includes(tensor)) return null;
  return mlpTensorShape(network, tensor, LABEL_ROWS);
}

/** The protocol's index of flat element k of a tensor of this shape (unknown: one axis). */
export function indexOf(k: number, shape: readonly number[] | null): number[] {
  return unflatten(shape ?? [k + 1], k);
}

/**
 * An element as people read it, in the notation of the tensor cards: 1-based, and no index at
 * all for a one-number tensor ("C_act", "W[2,3]", "B_act[1]", "∂L/∂W1[1,2]"). Without a shape
 * (a name the network does not have) every index is printed.
 */
export function elementLabel(tensor: string, index: readonly number[], shape: readonly number[] | null): string {
  if (shape) return elementText(tensor, shape, index);
  return `${tensorLabel(tensor)}[${index.map((i) => i + 1).join(',')}]`;
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
