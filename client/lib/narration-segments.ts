/**
 * A lecture's narration as stretches of lecture time that have audio: the replay's clock while
 * the voice plays. A take is one recording session; its chunks say where each piece of audio sits
 * on the lecture's clock (`startedAt + at`) and in the take's stream (`audioAt`). A pause inside a
 * take makes `at` run ahead of `audioAt`: the lecture went on while nobody spoke, so the stretch
 * ends there and the next chunk starts another.
 */
import type { NarrationChunkInfo, NarrationInfo } from '../../shared/protocol/narration.js';

/** Lecture time [start, end) has audio: the take's stream from `audioStart` ms on. */
export interface NarrationSegment {
  readonly take: number;
  readonly start: number;
  readonly end: number;
  readonly audioStart: number;
}

/**
 * A pause shorter than this (ms) is not honoured: the chunks either side stay one stretch. Timeslices
 * are timed by the recording browser's clock, so consecutive chunks never line up to the millisecond,
 * and restarting the audio at every chunk would be heard.
 */
const JOIN_MS = 250;

/**
 * The stretches of lecture time that have audio, in order of lecture time. Chunks of a take that
 * follow one another on both clocks are joined (the stretch keeps its first chunk's offset between
 * them); anything that does not add up (negative or non-finite times, an empty chunk) is left out
 * rather than trusted.
 */
export function narrationSegments(info: NarrationInfo): NarrationSegment[] {
  const segments: NarrationSegment[] = [];
  for (const take of info.takes) {
    if (!Number.isFinite(take.startedAt)) continue;
    const chunks = [...take.chunks].filter(usable).sort((a, b) => a.index - b.index);
    let open: { start: number; audioStart: number; audioEnd: number } | null = null;
    const close = () => open && segments.push({ take: take.take, start: open.start, end: open.start + open.audioEnd - open.audioStart, audioStart: open.audioStart });
    for (const c of chunks) {
      const start = take.startedAt + c.at;
      const sameOffset = open && Math.abs(start - c.audioAt - (open.start - open.audioStart)) <= JOIN_MS;
      if (open && sameOffset && Math.abs(c.audioAt - open.audioEnd) <= JOIN_MS) {
        open.audioEnd = c.audioAt + c.duration;
        continue;
      }
      close();
      open = { start, audioStart: c.audioAt, audioEnd: c.audioAt + c.duration };
    }
    close();
  }
  return segments.sort((a, b) => a.start - b.start);
}

function usable(c: NarrationChunkInfo): boolean {
  return [c.index, c.at, c.audioAt, c.duration].every((n) => Number.isFinite(n) && n >= 0) && c.duration > 0;
}

/** The stretch that has audio at lecture time `t` (the earliest, if takes overlap), or null. */
export function segmentAt(segments: readonly NarrationSegment[], t: number): NarrationSegment | null {
  for (const s of segments) {
    if (s.start > t) return null;
    if (t < s.end) return s;
  }
  return null;
}

/** Where in its take's stream (seconds, as `audio.currentTime` counts) lecture time `t` is heard. */
export function audioSecondsAt(segment: NarrationSegment, t: number): number {
  return (segment.audioStart + Math.max(0, Math.min(segment.end - segment.start, t - segment.start))) / 1000;
}

/** The lecture time heard at `seconds` into the segment's take (clamped to the segment). */
export function lectureTimeAt(segment: NarrationSegment, seconds: number): number {
  return segment.start + Math.max(0, Math.min(segment.end - segment.start, seconds * 1000 - segment.audioStart));
}

/** Where the narration ends on the lecture's clock (null: none). */
export function narrationEnd(segments: readonly NarrationSegment[]): number | null {
  return segments.length ? segments.reduce((end, s) => Math.max(end, s.end), -Infinity) : null;
}

/**
 * The lecture's narration listing, or null when it has none or it cannot be read: the replay
 * plays without the voice rather than not at all (a server before narration answers 404).
 */
export async function fetchNarrationInfo(lectureId: string): Promise<NarrationInfo | null> {
  try {
    const response = await fetch(`/api/lectures/${encodeURIComponent(lectureId)}/narration.json`);
    if (!response.ok) return null;
    const info = (await response.json()) as NarrationInfo;
    return Array.isArray(info?.takes) && info.takes.every((t) => Array.isArray(t?.chunks)) ? info : null;
  } catch {
    return null;
  }
}
