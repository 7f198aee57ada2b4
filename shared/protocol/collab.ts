/** Collaboration in a lecture: pacing, predictions and "I'm lost here" flags. */
import { z } from 'zod';
import { LIMITS } from './limits.js';

export const PACING = { follow: 'follow', free: 'free' } as const;
export type Pacing = (typeof PACING)[keyof typeof PACING];
export const PACING_MODES = Object.values(PACING) as [Pacing, ...Pacing[]];

export interface Histogram {
  /** Bin edges, one more than the counts; equal-width between the smallest and largest answer. */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

export interface PredictionStats {
  readonly count: number;
  readonly mean: number | null;
  readonly median: number | null;
  readonly histogram: Histogram;
}

export const PREDICTION_STATUS = { open: 'open', revealed: 'revealed' } as const;
export type PredictionStatus = (typeof PREDICTION_STATUS)[keyof typeof PREDICTION_STATUS];

/** The lecture's current prediction question, part of every snapshot. */
export interface Prediction {
  /** The seq of the `ask` that opened it: its identity. */
  readonly askSeq: number;
  readonly tensor: string;
  readonly index: readonly number[];
  readonly status: PredictionStatus;
  /** The true value, once revealed. */
  readonly actual: number | null;
  /** The class's answers, once revealed (before, only the instructor sees `prediction:update`). */
  readonly stats: PredictionStats | null;
}

/** Live aggregate for the instructor while answers come in. */
export interface PredictionUpdate {
  readonly askSeq: number;
  readonly count: number;
  /**
   * From how many addresses (devices, or classrooms behind one NAT) the answers given since the
   * server started came: far fewer addresses than answers is a sign of one machine answering many times.
   */
  readonly addresses: number;
  readonly histogram: Histogram;
}

/** What everyone may know while a prediction is open: how many answered, not what. */
export interface PredictionCount {
  readonly askSeq: number;
  readonly count: number;
}

export interface PredictionReveal extends PredictionStats {
  readonly askSeq: number;
  readonly tensor: string;
  readonly index: readonly number[];
  readonly actual: number;
}

export const PredictionSubmit = z.strictObject({
  value: z
    .number({ error: 'value must be a finite number' })
    .min(-LIMITS.maxWeightMagnitude, `value must be at least ${-LIMITS.maxWeightMagnitude}`)
    .max(LIMITS.maxWeightMagnitude, `value must be at most ${LIMITS.maxWeightMagnitude}`),
});

/** A tensor's name as the engine makes them (A, B_act, W2, dL_dZ1, …); the lecture checks it exists. */
export const TensorNameSchema = z
  .string({ error: 'tensor must be a tensor name such as "B_act" or "W1"' })
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,23}$/, 'tensor must be a tensor name such as "B_act" or "W1"');
/** A stage's name (input, B, B_act, …, Z1, A1, …, update); the lecture checks it exists. */
export const StageNameSchema = z
  .string({ error: 'stage must be a stage name such as "B_act"' })
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,23}$/, 'stage must be a stage name such as "B_act"');
const indexSchema = z
  .array(z.number({ error: 'index entries must be numbers' }).int('index entries must be whole numbers').min(0, 'index entries must be ≥ 0').max(100_000, 'index entries must be at most 100000'), {
    error: 'index must be an array of whole numbers',
  })
  .min(1, 'index needs 1 or 2 numbers')
  .max(2, 'index needs 1 or 2 numbers');

/** One element of a tensor; the lecture checks the name and index against its network. */
export const TensorElement = z.strictObject({ tensor: TensorNameSchema, index: indexSchema });

export const FlagTarget = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('stage'), stage: StageNameSchema }),
    z.strictObject({ type: z.literal('element'), tensor: TensorNameSchema, index: indexSchema }),
  ],
  { error: 'target.type must be "stage" or "element"' },
);
export type FlagTarget = { type: 'stage'; stage: string } | { type: 'element'; tensor: string; index: number[] };

/**
 * What the instructor points the class at (a stage chip, or one element of a tensor: a cell,
 * a node, an edge, an equation line's term): the same shape as a flag's target.
 */
export type SpotlightTarget = FlagTarget;

export const FlagRequest = z.strictObject({ target: FlagTarget, on: z.boolean({ error: 'on must be true or false' }) });
export type FlagRequest = z.infer<typeof FlagRequest>;

/** Flags per key (flag-key.ts) for the current pass (instructor only). */
export interface FlagCounts {
  readonly counts: Readonly<Record<string, number>>;
}
