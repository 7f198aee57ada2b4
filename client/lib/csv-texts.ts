/**
 * Uploaded tables in the browser. A snapshot or frame names a CSV by digest; its rows come once
 * from `GET /api/datasets/<digest>.csv` (cached by the browser for good, since the digest is the
 * content) and go into shared's cache, where makeDataset finds them. Views render only snapshots
 * whose tables are loaded: the controllers wait for them (CsvGate keeps arrivals in order meanwhile).
 */
import { hasCsvText, provideCsvText, shortDigest } from '../../shared/datasets/csv-texts.js';
import type { DatasetSpec } from '../../shared/datasets/spec.js';
import type { Recording } from '../../shared/protocol/http.js';

/** The digests of the uploaded tables these specs name that this page does not hold yet. */
export function missingCsv(specs: Iterable<DatasetSpec | undefined>): string[] {
  const missing = new Set<string>();
  for (const spec of specs) if (spec?.kind === 'csv' && !hasCsvText(spec.digest)) missing.add(spec.digest);
  return [...missing];
}

/** Every dataset a recording names: its initial snapshot's and each frame's. */
export function recordingSpecs(recording: Recording): DatasetSpec[] {
  const specs = [recording.lecture.initial.dataset];
  for (const e of recording.events) if (e.frame.dataset) specs.push(e.frame.dataset);
  return specs;
}

const fetching = new Map<string, Promise<void>>();

/** Fetches and provides the texts of these digests (each once, however many ask at a time); rejects with a readable error. */
export function loadCsvTexts(digests: readonly string[]): Promise<void> {
  return Promise.all(
    digests.map((digest) => {
      let load = fetching.get(digest);
      if (!load) {
        load = fetchCsvText(digest).finally(() => fetching.delete(digest));
        fetching.set(digest, load);
      }
      return load;
    }),
  ).then(() => undefined);
}

async function fetchCsvText(digest: string): Promise<void> {
  const response = await fetch(`/api/datasets/${digest}.csv`);
  if (!response.ok) throw new Error(`the table ${shortDigest(digest)} could not be loaded (HTTP ${response.status})`);
  const text = await response.text();
  // Checked where the browser can (crypto.subtle exists on https and localhost only): a proxy
  // that rewrote the file would otherwise show other rows than the lecture's.
  if (globalThis.crypto?.subtle && (await sha256Hex(text)) !== digest) throw new Error(`the table ${shortDigest(digest)} arrived altered`);
  provideCsvText(digest, text);
}

async function sha256Hex(text: string): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Applies arrivals (snapshots, frames) in the order they came: one that names a table not loaded
 * yet waits for it, and every later one waits behind it. With nothing waiting and every table
 * loaded, an arrival is applied at once, as before tables travelled by reference.
 */
export class CsvGate {
  private tail: Promise<void> | null = null;

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Whether an arrival is waiting for its table (what it brings is not applied yet). */
  get busy(): boolean {
    return this.tail !== null;
  }

  push(specs: readonly (DatasetSpec | undefined)[], apply: () => void): void {
    if (this.tail === null && missingCsv(specs).length === 0) return apply();
    const run = async () => {
      const missing = missingCsv(specs);
      if (missing.length) await loadCsvTexts(missing);
      apply();
    };
    // A table that cannot be loaded skips its arrival (the next frame finds the gap and resyncs).
    const next = (this.tail ?? Promise.resolve()).then(run).catch(this.onError);
    this.tail = next;
    void next.then(() => {
      if (this.tail === next) this.tail = null;
    });
  }
}
