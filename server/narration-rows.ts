/** Narration as both stores read it back: rows of takes and of chunks, grouped into takes. */
import type { StoredNarrationChunk, StoredNarrationTake } from './ports.js';

export interface NarrationTakeRow {
  readonly take: number;
  readonly mime: string;
  readonly started_at: number;
}

export interface NarrationChunkRow {
  readonly take: number;
  readonly idx: number;
  readonly at: number;
  readonly audio_at: number;
  readonly duration: number;
  readonly bytes: number;
}

/** Takes (in take order) with their chunks; `chunks` must come ordered by take, then index. */
export function groupNarration(takes: readonly NarrationTakeRow[], chunks: readonly NarrationChunkRow[]): StoredNarrationTake[] {
  const byTake = new Map<number, StoredNarrationChunk[]>(takes.map((t) => [t.take, []]));
  for (const c of chunks) byTake.get(c.take)?.push({ index: c.idx, at: c.at, audioAt: c.audio_at, duration: c.duration, bytes: c.bytes });
  return takes.map((t) => ({ take: t.take, mime: t.mime, startedAt: t.started_at, chunks: byTake.get(t.take) ?? [] }));
}
