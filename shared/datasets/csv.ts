import { splitTrainTest } from './split.js';
import { textProblem } from './safe-text.js';
import type { Dataset, Sample } from './types.js';

/**
 * An instructor's CSV upload: numeric columns, the last one the target. Never throws: every
 * outcome is a CsvResult, and every problem names its line (1-based, as an editor counts them,
 * blank lines included) and, where there is one, its column (1-based).
 *
 * - Delimiter: comma, semicolon or tab, whichever the first non-blank line has most of.
 * - Header: `auto` (default) takes the first non-blank line as a header when none of its cells is a
 *   number; a first line mixing numbers and text is data, and its text cells are errors.
 * - Cells may be quoted ("1.5"); a quoted cell cannot span lines. Spaces around cells are ignored.
 * - Numbers: decimal, with optional sign, point and exponent (1, -2.5, .5, 3e-2). Not NaN, Infinity,
 *   hex or a decimal comma.
 * - Blank lines are skipped. Rows must all have as many cells as the first.
 * - Header cells are printable text: no control or format characters (safe-text.ts).
 */

export const CSV_LIMITS = { maxRows: 10_000, maxFeatures: 16, maxErrors: 20 } as const;

export interface CsvIssue {
  /** 1-based line of the file; 0 when the problem is the whole file. */
  readonly line: number;
  /** 1-based column, or null when the problem is the whole line or file. */
  readonly column: number | null;
  readonly message: string;
}

export interface CsvTable {
  readonly featureNames: readonly string[];
  readonly targetName: string;
  readonly samples: readonly Sample[];
  readonly header: boolean;
  readonly delimiter: ',' | ';' | '\t';
  /** Whether every target is 0 or 1 (classification: accuracy and cross-entropy make sense). */
  readonly binaryTarget: boolean;
}

export type CsvResult =
  | { readonly ok: true; readonly table: CsvTable }
  | {
      readonly ok: false;
      /** The first problems, in file order (at most CSV_LIMITS.maxErrors). */
      readonly errors: readonly CsvIssue[];
      /** How many more problems there were beyond those listed. */
      readonly moreErrors: number;
    };

export interface CsvOptions {
  readonly header?: 'auto' | boolean;
  readonly maxRows?: number;
  readonly maxFeatures?: number;
  /**
   * Refuse header cells that are not printable text (default). Off only to read back a table stored
   * before the rule existed: it was accepted then, its lecture must still load, and every view and
   * export escapes its names.
   */
  readonly printableHeader?: boolean;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function splitCells(line: string, delimiter: string): string[] | { unclosedAt: number } {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ') i++;
    if (line[i] === '"') {
      let cell = '';
      let j = i + 1;
      for (;;) {
        if (j >= line.length) return { unclosedAt: cells.length + 1 };
        if (line[j] === '"') {
          if (line[j + 1] === '"') {
            cell += '"';
            j += 2;
            continue;
          }
          break;
        }
        cell += line[j++];
      }
      j++;
      const next = line.indexOf(delimiter, j);
      cells.push(cell + (next < 0 ? line.slice(j) : line.slice(j, next)).trim());
      if (next < 0) return cells;
      i = next + delimiter.length;
    } else {
      const next = line.indexOf(delimiter, i);
      if (next < 0) {
        cells.push(line.slice(i).trim());
        return cells;
      }
      cells.push(line.slice(i, next).trim());
      i = next + delimiter.length;
    }
  }
}

function detectDelimiter(line: string): ',' | ';' | '\t' {
  const count = (d: string) => line.split(d).length - 1;
  const candidates = [',', ';', '\t'] as const;
  let best: ',' | ';' | '\t' = ',';
  for (const d of candidates) if (count(d) > count(best)) best = d;
  return best;
}

const quote = (s: string) => (s.length > 24 ? `"${s.slice(0, 24)}…"` : `"${s}"`);

/** Parses and validates a CSV upload. Never throws. */
export function parseCsv(text: unknown, options: CsvOptions = {}): CsvResult {
  try {
    return parse(text, options);
  } catch (e) {
    return { ok: false, errors: [{ line: 0, column: null, message: `the file could not be read (${e instanceof Error ? e.message : String(e)})` }], moreErrors: 0 };
  }
}

function parse(text: unknown, options: CsvOptions): CsvResult {
  const maxRows = options.maxRows ?? CSV_LIMITS.maxRows;
  const maxFeatures = options.maxFeatures ?? CSV_LIMITS.maxFeatures;
  const fail = (line: number, column: number | null, message: string): CsvResult => ({ ok: false, errors: [{ line, column, message }], moreErrors: 0 });
  if (typeof text !== 'string') return fail(0, null, 'the upload is not a text file');
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const filled: number[] = [];
  for (let i = 0; i < lines.length; i++) if (lines[i].trim() !== '') filled.push(i);
  if (filled.length === 0) return fail(0, null, 'the file is empty');

  const delimiter = detectDelimiter(lines[filled[0]]);
  const firstCells = splitCells(lines[filled[0]], delimiter);
  if (!Array.isArray(firstCells)) return fail(filled[0] + 1, firstCells.unclosedAt, `column ${firstCells.unclosedAt} opens a quote it never closes`);
  const width = firstCells.length;
  const header = options.header === 'auto' || options.header === undefined ? firstCells.every((c) => !NUMBER.test(c)) : options.header;
  const dataLines = header ? filled.slice(1) : filled;
  if (width < 2) {
    return fail(filled[0] + 1, null, `the first line has ${width} column; the file needs at least 2 (one or more features, then the target)`);
  }
  if (width - 1 > maxFeatures) {
    return fail(filled[0] + 1, null, `the file has ${width - 1} feature columns; at most ${maxFeatures} (the last column is the target)`);
  }
  if (dataLines.length === 0) return fail(filled[0] + 1, null, 'the file has a header but no data rows');
  if (dataLines.length > maxRows) {
    return fail(0, null, `the file has ${dataLines.length.toLocaleString('en')} data rows; at most ${maxRows.toLocaleString('en')}`);
  }

  const names = header
    ? firstCells.map((c, i) => (c === '' ? (i === width - 1 ? 'y' : `x${i + 1}`) : c))
    : firstCells.map((_, i) => (i === width - 1 ? 'y' : `x${i + 1}`));
  const columnName = (i: number) => (header ? ` (${quote(names[i])})` : '');

  const errors: CsvIssue[] = [];
  let total = 0;
  const issue = (line: number, column: number | null, message: string) => {
    total++;
    if (errors.length < CSV_LIMITS.maxErrors) errors.push({ line, column, message });
  };
  if (header && options.printableHeader !== false) {
    // Column names are shown to every student and written into exported notebooks: printable text only.
    firstCells.forEach((cell, i) => {
      const problem = textProblem(cell, 'the column name');
      if (problem) issue(filled[0] + 1, i + 1, `line ${filled[0] + 1}, column ${i + 1}: ${problem}`);
    });
  }
  const samples: Sample[] = [];
  let binaryTarget = true;
  for (const index of dataLines) {
    const lineNo = index + 1;
    const cells = splitCells(lines[index], delimiter);
    if (!Array.isArray(cells)) {
      issue(lineNo, cells.unclosedAt, `line ${lineNo}, column ${cells.unclosedAt}: a quote is opened and never closed`);
      continue;
    }
    if (cells.length !== width) {
      issue(lineNo, null, `line ${lineNo} has ${cells.length} cells; it needs ${width}, as the first line has`);
      continue;
    }
    const values: number[] = [];
    let good = true;
    cells.forEach((cell, i) => {
      const where = `line ${lineNo}, column ${i + 1}${columnName(i)}`;
      if (cell === '') {
        issue(lineNo, i + 1, `${where}: missing value`);
        good = false;
      } else if (!NUMBER.test(cell)) {
        issue(lineNo, i + 1, `${where}: ${quote(cell)} is not a number`);
        good = false;
      } else {
        const v = Number(cell);
        if (!Number.isFinite(v)) {
          issue(lineNo, i + 1, `${where}: ${quote(cell)} is too large`);
          good = false;
        }
        values.push(v);
      }
    });
    if (!good) continue;
    const y = values[width - 1];
    if (y !== 0 && y !== 1) binaryTarget = false;
    samples.push({ x: values.slice(0, width - 1), y });
  }
  if (total > 0) return { ok: false, errors, moreErrors: total - errors.length };
  return {
    ok: true,
    table: { featureNames: names.slice(0, width - 1), targetName: names[width - 1], samples, header, delimiter, binaryTarget },
  };
}

export type CsvDatasetResult = { readonly ok: true; readonly dataset: Dataset; readonly table: CsvTable } | Extract<CsvResult, { ok: false }>;

/**
 * A dataset from a CSV upload. trainFraction 1 (default) trains on every row in file order;
 * below 1 the rows are shuffled with `seed` and split. Never throws.
 */
export function datasetFromCsv(text: unknown, options: CsvOptions & { name?: string; trainFraction?: number; seed?: number } = {}): CsvDatasetResult {
  const parsed = parseCsv(text, options);
  if (!parsed.ok) return parsed;
  const fraction = options.trainFraction ?? 1;
  if (!(fraction > 0 && fraction <= 1)) {
    return { ok: false, errors: [{ line: 0, column: null, message: 'the training share must be more than 0 and at most 1' }], moreErrors: 0 };
  }
  const { train, test } = splitTrainTest(parsed.table.samples, fraction, options.seed ?? 1);
  if (train.length === 0) {
    return { ok: false, errors: [{ line: 0, column: null, message: 'the training share leaves no rows to train on' }], moreErrors: 0 };
  }
  const { featureNames, targetName } = parsed.table;
  return { ok: true, table: parsed.table, dataset: { name: options.name ?? 'uploaded data', featureNames, targetName, train, test, domain: null } };
}
