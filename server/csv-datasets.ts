/**
 * Uploaded CSV tables on the server: named by the SHA-256 of their text, stored once (the store's
 * datasets table), and provided to shared's content-addressed cache (csv-texts.ts) before anything
 * makes a dataset of them: folding a lecture's events, deciding a setDataset, exporting.
 */
import { createHash } from 'node:crypto';
import { hasCsvText, provideCsvText } from '../shared/datasets/csv-texts.js';
import type { DatasetSpec } from '../shared/datasets/spec.js';
import type { LectureStore, StoredEvent } from './ports.js';

/** The digest that names a CSV text: SHA-256 of its UTF-8 bytes, lowercase hex. */
export function csvDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Stores a text (once) through `put` and makes it available to makeDataset; returns its digest.
 * `put` is synchronous: this serves a store's own migration, inside its transaction.
 */
export function storeCsvText(put: (digest: string, text: string) => void, text: string): string {
  const digest = csvDigest(text);
  put(digest, text);
  provideCsvText(digest, text);
  return digest;
}

/**
 * Makes the texts of these digests available to makeDataset, from the store where the cache has
 * forgotten them. Returns the digests the store does not hold either.
 */
export async function loadCsvTexts(store: LectureStore, digests: Iterable<string>): Promise<string[]> {
  const unknown: string[] = [];
  for (const digest of new Set(digests)) {
    if (hasCsvText(digest)) continue;
    const text = await store.datasetText(digest);
    if (text === undefined) unknown.push(digest);
    else provideCsvText(digest, text);
  }
  return unknown;
}

/** The digest of a spec's table, when it is an uploaded one. */
export function digestOf(spec: DatasetSpec | undefined): string | null {
  return spec?.kind === 'csv' ? spec.digest : null;
}

/** The digests a lecture's events name (its setDataset commands), in order. */
export function digestsOfEvents(events: Iterable<StoredEvent>): string[] {
  const digests: string[] = [];
  for (const e of events) {
    const d = e.command.type === 'setDataset' ? digestOf(e.command.dataset) : null;
    if (d) digests.push(d);
  }
  return digests;
}

/**
 * The old form of a csv spec, with its text inline, as the digest form (storing the text): for
 * databases written before datasets travelled by reference, and the command API's old clients.
 * Anything else comes back as it was. `put` stores a text synchronously (see storeCsvText).
 */
export function withDigest(put: (digest: string, text: string) => void, spec: unknown): unknown {
  if (typeof spec !== 'object' || spec === null) return spec;
  const { text, ...rest } = spec as { kind?: unknown; text?: unknown };
  if (rest.kind !== 'csv' || typeof text !== 'string') return spec;
  return { ...rest, digest: storeCsvText(put, text) };
}
