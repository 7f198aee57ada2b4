/**
 * The texts of uploaded CSV tables, by content digest (the SHA-256 of the UTF-8 text, lowercase
 * hex). A csv DatasetSpec names its table by digest, so snapshots, frames and events stay a few
 * bytes however big the table; whoever holds the text provides it here before makeDataset needs
 * it: the server from its store, a browser from `GET /api/datasets/<digest>.csv`.
 *
 * The value is a function of the key, so this cache is referentially transparent, which is why it
 * may live in shared. Callers are trusted to pass the text that has the digest (the server computed
 * it; a browser fetched it from its own server). Memory is bounded: beyond CSV_TEXT_CACHE the least
 * recently used texts are forgotten, and their holder provides them again on a miss.
 */

export const CSV_DIGEST_PATTERN = /^[0-9a-f]{64}$/;

/** At most this many texts, and this many characters in all (the newest text stays, whatever its size). */
export const CSV_TEXT_CACHE = { maxTexts: 32, maxChars: 64 * 1024 * 1024 } as const;

/** Digest → text, in order of use: the first entry is the least recently used. */
const texts = new Map<string, string>();
let chars = 0;

export function provideCsvText(digest: string, text: string): void {
  const old = texts.get(digest);
  if (old !== undefined) {
    texts.delete(digest);
    chars -= old.length;
  }
  texts.set(digest, text);
  chars += text.length;
  for (const [oldest, t] of texts) {
    if (texts.size <= 1 || (texts.size <= CSV_TEXT_CACHE.maxTexts && chars <= CSV_TEXT_CACHE.maxChars)) break;
    texts.delete(oldest);
    chars -= t.length;
  }
}

/** The text with this digest, when it is loaded (and it becomes the most recently used). */
export function csvTextOf(digest: string): string | undefined {
  const text = texts.get(digest);
  if (text !== undefined) {
    texts.delete(digest);
    texts.set(digest, text);
  }
  return text;
}

export function hasCsvText(digest: string): boolean {
  return texts.has(digest);
}

/** A digest for people: its first 12 hex digits. */
export function shortDigest(digest: string): string {
  return `${digest.slice(0, 12)}…`;
}
