import { z } from 'zod';
import { pointSet, POINT_DEFAULTS, POINT_LIMITS, POINT_SETS } from './points.js';
import { truthTable, TRUTH_TABLE_INPUTS, TRUTH_TABLES } from './truth-tables.js';
import { datasetFromCsv, type CsvDatasetResult, type CsvIssue } from './csv.js';
import { CSV_DIGEST_PATTERN, csvTextOf, hasCsvText, shortDigest } from './csv-texts.js';
import { printableText } from './safe-text.js';
import type { Dataset } from './types.js';

/** An uploaded table's name and the text itself are bounded: the text by the CSV limits, the name for display. */
export const CSV_SPEC_LIMITS = { maxNameLength: 60, maxTextLength: 2 * 1024 * 1024 } as const;

/**
 * An uploaded table, parsed once: the upload route, the command's check and makeDataset all ask
 * for the same table in a row, and a 10,000-row file takes a while to parse. One entry is enough.
 */
let lastCsv: { digest: string; name: string; trainFraction: number; seed: number; result: CsvDatasetResult } | null = null;

/** The dataset of the loaded CSV text with this digest; throws when the text is not loaded (csv-texts.ts). */
export function csvDataset(digest: string, name: string, trainFraction: number, seed: number): CsvDatasetResult {
  const c = lastCsv;
  if (c && c.digest === digest && c.name === name && c.trainFraction === trainFraction && c.seed === seed) return c.result;
  const text = csvTextOf(digest);
  if (text === undefined) throw new Error(`the CSV with digest ${shortDigest(digest)} is not loaded`);
  const result = datasetFromCsv(text, { name, trainFraction, seed });
  lastCsv = { digest, name, trainFraction, seed, result };
  return result;
}

/** Why a csv spec cannot carry its text. */
export const CSV_INLINE_REFUSAL =
  'a CSV is not sent inline: upload the file (POST /api/lectures/<code>/dataset.csv, Content-Type: text/csv), which names it by digest';

/** A CSV problem as one readable line: "line 3, column 2 (…)"; the parser's messages already say where, when there is a where. */
export function describeCsvIssue(issue: CsvIssue): string {
  if (issue.line === 0 || /^line \d/.test(issue.message)) return issue.message;
  const where = issue.column === null ? `line ${issue.line}` : `line ${issue.line}, column ${issue.column}`;
  return `${where}: ${issue.message}`;
}

/**
 * A dataset, described by what it takes to make it again, the same everywhere: a generated set by
 * its generator's settings (every generator is seeded), an uploaded table by the digest of its CSV
 * text (stored once, fetched by digest; datasetProblem says whether the table, with these settings,
 * makes a dataset, which the server checks before deciding).
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
    z.strictObject({
        kind: z.literal('csv'),
        // The old inline form is refused with the reason: the text travels once, by upload, then by digest.
        text: z.never({ error: CSV_INLINE_REFUSAL }).optional(),
        name: z.string({ error: 'name must be text' }).trim().min(1, 'name must not be empty').max(CSV_SPEC_LIMITS.maxNameLength, `name must be at most ${CSV_SPEC_LIMITS.maxNameLength} characters`).superRefine(printableText('the name')).default('uploaded data'),
        digest: z
          .string({ error: 'digest must be the SHA-256 of the CSV text (upload the file: POST /api/lectures/<code>/dataset.csv)' })
          .regex(CSV_DIGEST_PATTERN, 'digest must be the SHA-256 of the CSV text, 64 lowercase hex digits'),
        trainFraction: z
          .number({ error: 'trainFraction must be a number' })
          .min(POINT_LIMITS.minTrainFraction, `trainFraction must be at least ${POINT_LIMITS.minTrainFraction}`)
          .max(1, 'trainFraction must be at most 1')
          .default(1),
        seed: z.number({ error: 'seed must be a number' }).int('seed must be a whole number').min(0).max(0xffff_ffff).default(1),
      }),
  ],
  { error: 'kind must be "truthTable", "points" or "csv"' },
);
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;

/** The notebook's dataset, the default. */
export const NOTEBOOK_DATASET_SPEC: DatasetSpec = { kind: 'truthTable', table: 'notebook' };

/** Whether a spec is the notebook's own truth table: with the notebook's network, the teaching notebook's lecture. */
export function isNotebookDataset(spec: DatasetSpec): boolean {
  return spec.kind === 'truthTable' && spec.table === 'notebook';
}

export type DatasetSpecResult = { readonly ok: true; readonly spec: DatasetSpec } | { readonly ok: false; readonly errors: readonly string[] };

/** Validates a spec; never throws. */
export function parseDatasetSpec(input: unknown): DatasetSpecResult {
  const r = DatasetSpecSchema.safeParse(input);
  if (r.success) return { ok: true, spec: r.data };
  return { ok: false, errors: r.error.issues.map((i) => i.message) };
}

const made = new WeakMap<DatasetSpec, Dataset>();

/** Makes the dataset a (valid) spec describes; memoised per spec object, since specs are immutable. */
export function makeDataset(spec: DatasetSpec): Dataset {
  let dataset = made.get(spec);
  if (!dataset) {
    dataset = build(spec);
    made.set(spec, dataset);
  }
  return dataset;
}

function build(spec: DatasetSpec): Dataset {
  switch (spec.kind) {
    case 'truthTable':
      return truthTable(spec.table, spec.inputs);
    case 'points':
      return pointSet(spec.set, { count: spec.count, noise: spec.noise, trainFraction: spec.trainFraction, seed: spec.seed });
    case 'csv': {
      const r = csvDataset(spec.digest, spec.name, spec.trainFraction, spec.seed);
      if (r.ok) return r.dataset;
      // A table recorded before header cells had to be printable: it was accepted then, so it is read back.
      const stored = datasetFromCsv(csvTextOf(spec.digest), { name: spec.name, trainFraction: spec.trainFraction, seed: spec.seed, printableHeader: false });
      if (!stored.ok) throw new Error(`the CSV does not make a dataset: ${r.errors.map(describeCsvIssue).join('; ')}`);
      return stored.dataset;
    }
    default: {
      const unknown: never = spec;
      throw new Error(`unknown dataset ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Why a (valid) spec makes no dataset, or null: a CSV whose text is not loaded, or whose rows do
 * not make a dataset with this split. Generated sets always make one.
 */
export function datasetProblem(spec: DatasetSpec): string | null {
  if (spec.kind !== 'csv') return null;
  if (!hasCsvText(spec.digest)) return `the CSV with digest ${shortDigest(spec.digest)} is not loaded`;
  const r = csvDataset(spec.digest, spec.name, spec.trainFraction, spec.seed);
  if (r.ok) return null;
  const more = r.moreErrors > 0 ? ` (and ${r.moreErrors} more)` : '';
  return `the CSV does not make a dataset: ${r.errors.map(describeCsvIssue).join('; ')}${more}`;
}

/** A short label for people: "spiral (200 points, noise 0.1)", "XOR (2 inputs)", the upload's name. */
export function datasetLabel(spec: DatasetSpec): string {
  if (spec.kind === 'points') return `${spec.set} (${spec.count} points${spec.noise ? `, noise ${spec.noise}` : ''})`;
  // An upload's name is in its spec: no need for its rows (which may still be on their way).
  if (spec.kind === 'csv') return spec.name;
  return makeDataset(spec).name;
}
