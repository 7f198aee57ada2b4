import { z } from 'zod';
import { pointSet, POINT_DEFAULTS, POINT_LIMITS, POINT_SETS } from './points.js';
import { truthTable, TRUTH_TABLE_INPUTS, TRUTH_TABLES } from './truth-tables.js';
import type { Dataset } from './types.js';

/**
 * A generated dataset, described by what it takes to make it again: small enough for a command or
 * an event, and the same everywhere (every generator is seeded). Uploaded CSV data is not a spec:
 * its rows travel themselves.
 */
export const DatasetSpecSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('truthTable'),
      table: z.enum(TRUTH_TABLES, { error: `table must be one of ${TRUTH_TABLES.join(', ')}` }),
      inputs: z
        .number({ error: 'inputs must be a number' })
        .int('inputs must be a whole number')
        .min(TRUTH_TABLE_INPUTS.min, `a truth table has at least ${TRUTH_TABLE_INPUTS.min} inputs`)
        .max(TRUTH_TABLE_INPUTS.max, `a truth table has at most ${TRUTH_TABLE_INPUTS.max} inputs`)
        .optional(),
    }),
    z.strictObject({
      kind: z.literal('points'),
      set: z.enum(POINT_SETS, { error: `set must be one of ${POINT_SETS.join(', ')}` }),
      count: z
        .number({ error: 'count must be a number' })
        .int('count must be a whole number')
        .min(POINT_LIMITS.minCount, `count must be at least ${POINT_LIMITS.minCount}`)
        .max(POINT_LIMITS.maxCount, `count must be at most ${POINT_LIMITS.maxCount}`)
        .default(POINT_DEFAULTS.count),
      noise: z.number({ error: 'noise must be a number' }).min(0, 'noise must be at least 0').max(POINT_LIMITS.maxNoise, `noise must be at most ${POINT_LIMITS.maxNoise}`).default(POINT_DEFAULTS.noise),
      trainFraction: z
        .number({ error: 'trainFraction must be a number' })
        .min(POINT_LIMITS.minTrainFraction, `trainFraction must be at least ${POINT_LIMITS.minTrainFraction}`)
        .max(POINT_LIMITS.maxTrainFraction, `trainFraction must be at most ${POINT_LIMITS.maxTrainFraction}`)
        .default(POINT_DEFAULTS.trainFraction),
      seed: z.number({ error: 'seed must be a number' }).int('seed must be a whole number').min(0).max(0xffff_ffff).default(POINT_DEFAULTS.seed),
    }),
  ],
  { error: 'kind must be "truthTable" or "points"' },
);
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;

/** The notebook's dataset, the default. */
export const NOTEBOOK_DATASET_SPEC: DatasetSpec = { kind: 'truthTable', table: 'notebook' };

export type DatasetSpecResult = { readonly ok: true; readonly spec: DatasetSpec } | { readonly ok: false; readonly errors: readonly string[] };

/** Validates a spec; never throws. */
export function parseDatasetSpec(input: unknown): DatasetSpecResult {
  const r = DatasetSpecSchema.safeParse(input);
  if (r.success) return { ok: true, spec: r.data };
  return { ok: false, errors: r.error.issues.map((i) => i.message) };
}

/** Makes the dataset a (valid) spec describes. */
export function makeDataset(spec: DatasetSpec): Dataset {
  if (spec.kind === 'truthTable') return truthTable(spec.table, spec.inputs);
  return pointSet(spec.set, { count: spec.count, noise: spec.noise, trainFraction: spec.trainFraction, seed: spec.seed });
}
