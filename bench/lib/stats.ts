/** Percentiles, tables and result files shared by the benches. */
import { mkdirSync, writeFileSync } from 'node:fs';

/** Nearest-rank percentile of unsorted values (p in 0–100); NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values: readonly number[]) => percentile(values, 50);
export const mean = (values: readonly number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN);
// (no Math.max(...values): hundreds of thousands of latencies overflow the call stack)
export function max(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

export function round(x: number, digits = 1): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[], digits = 2): Summary {
  return {
    n: values.length,
    p50: round(percentile(values, 50), digits),
    p95: round(percentile(values, 95), digits),
    p99: round(percentile(values, 99), digits),
    max: round(max(values), digits),
  };
}

export function writeResult(name: string, result: unknown): string {
  mkdirSync('bench/results', { recursive: true });
  const path = `bench/results/${name}.json`;
  writeFileSync(path, JSON.stringify(result, null, 2) + '\n');
  return path;
}

/** A plain text table (also valid Markdown), printed by every bench. */
export function table(rows: ReadonlyArray<Record<string, unknown>>): string {
  if (rows.length === 0) return '(no rows)';
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-US') : String(v)) : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => '| ' + vals.map((v, i) => v.padEnd(widths[i])).join(' | ') + ' |';
  return [line(cols), '| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |', ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

export interface TargetCheck {
  target: string;
  met: boolean | null;
  measured: string;
}

export function printChecks(checks: readonly TargetCheck[]): void {
  console.log(table(checks.map((c) => ({ target: c.target, met: c.met === null ? 'n/a' : c.met ? 'MET' : 'NOT MET', measured: c.measured }))));
}
