/**
 * A narration take as one stream of bytes: its chunks concatenated in index order (a
 * MediaRecorder's timeslice chunks concatenated are one valid WebM or Ogg file), or a range of it
 * for a player that seeks. Read from the store a page of chunks at a time, so serving a take of
 * hundreds of MB holds about one page in memory.
 */
import type { LectureStore, StoredNarrationChunk } from './ports.js';

/** Bytes start … end of a stream, both included (as HTTP's Range counts). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** One chunk's part of a range: the chunk, and the bytes of it that fall inside. */
interface ChunkSlice {
  readonly index: number;
  readonly bytes: number;
  readonly from: number;
  readonly to: number;
}

/** About how many bytes of chunks are read from the store at once. */
const PAGE_BYTES = 1024 * 1024;

/** The length of a take's stream. */
export function streamLength(chunks: readonly StoredNarrationChunk[]): number {
  return chunks.reduce((sum, c) => sum + c.bytes, 0);
}

/** The chunks that hold the range's bytes, in order, with the part of each inside it. */
export function rangeSlices(chunks: readonly StoredNarrationChunk[], range: ByteRange): ChunkSlice[] {
  const slices: ChunkSlice[] = [];
  let offset = 0;
  for (const c of chunks) {
    const from = Math.max(range.start - offset, 0);
    const to = Math.min(range.end - offset + 1, c.bytes);
    if (from < to) slices.push({ index: c.index, bytes: c.bytes, from, to });
    offset += c.bytes;
    if (offset > range.end) break;
  }
  return slices;
}

/** The slices in pages of about PAGE_BYTES (at least one chunk each). */
function pages(slices: readonly ChunkSlice[]): ChunkSlice[][] {
  const result: ChunkSlice[][] = [];
  let page: ChunkSlice[] = [];
  let size = 0;
  for (const s of slices) {
    if (page.length > 0 && size + s.bytes > PAGE_BYTES) {
      result.push(page);
      page = [];
      size = 0;
    }
    page.push(s);
    size += s.bytes;
  }
  if (page.length > 0) result.push(page);
  return result;
}

/**
 * The bytes of a range of a take whose chunks are `chunks` (as listed before the answer's headers
 * went out), page by page. Only those chunks: one that arrives meanwhile (an upload out of order)
 * waits for the next request. A listed chunk gone (the narration deleted meanwhile) throws, and the
 * caller ends the answer short, as its Content-Length can no longer be kept.
 */
export async function* rangeBytes(store: LectureStore, lectureId: string, take: number, chunks: readonly StoredNarrationChunk[], range: ByteRange): AsyncGenerator<Uint8Array> {
  for (const page of pages(rangeSlices(chunks, range))) {
    const read = await store.narrationChunkData(lectureId, take, page[0].index, page[page.length - 1].index);
    const byIndex = new Map(read.map((r) => [r.index, r.data]));
    for (const s of page) {
      const data = byIndex.get(s.index);
      if (!data || data.byteLength !== s.bytes) throw new Error(`chunk ${s.index} of narration take ${take} went away while it was being sent`);
      yield data.subarray(s.from, s.to);
    }
  }
}
