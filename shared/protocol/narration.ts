/**
 * A lecture's narration over HTTP (docs/protocol.md, "Narration"): the instructor's voice, recorded
 * by the console's MediaRecorder in takes (one per recording session) of chunks (one per timeslice),
 * uploaded as they are recorded and served as one stream per take.
 */
import { z } from 'zod';

/**
 * The audio types a take may have: what MediaRecorder offers in Chromium, Firefox and Safari. The
 * server serves a take's bytes with its type (and nosniff), so only audio types ever name them.
 */
export const NARRATION_MIMES = [
  'audio/webm',
  'audio/webm;codecs=opus',
  'audio/ogg',
  'audio/ogg;codecs=opus',
  'audio/mp4',
  'audio/mp4;codecs=opus',
  'audio/mp4;codecs=mp4a.40.2',
] as const;
export type NarrationMime = (typeof NARRATION_MIMES)[number];

/** The longest mime text read at all: a type is short, so anything longer is refused unread. */
const MAX_MIME_LENGTH = 60;

/** A mime type as the allow-list spells it: lowercase, no spaces, no quotes (`audio/webm; codecs="opus"` → `audio/webm;codecs=opus`). */
export function normalizeNarrationMime(text: string): NarrationMime | undefined {
  if (text.length > MAX_MIME_LENGTH) return undefined;
  const spelled = text.toLowerCase().replace(/[\s"]/g, '');
  return NARRATION_MIMES.find((mime) => mime === spelled);
}

/** The file extension of a take's download, by its container. */
export function narrationExtension(mime: string): string {
  if (mime.startsWith('audio/ogg')) return 'ogg';
  if (mime.startsWith('audio/mp4')) return 'm4a';
  return 'webm';
}

/** `POST /api/lectures/:id/narration/takes`: the take's audio type. */
export const NarrationTakeBody = z.strictObject({
  mime: z
    .string({ error: 'mime must be the recording\'s audio type, like "audio/webm;codecs=opus"' })
    .transform((text, ctx) => {
      const mime = normalizeNarrationMime(text);
      if (!mime) ctx.addIssue({ code: 'custom', message: `mime must be one of ${NARRATION_MIMES.join(', ')}; got "${text.slice(0, MAX_MIME_LENGTH)}"` });
      return mime ?? z.NEVER;
    }),
});
export type NarrationTakeBody = z.infer<typeof NarrationTakeBody>;

/** The longest time a chunk's `at`, `audioAt` and `duration` may say: a week of ms (a take is a lecture long). */
export const NARRATION_MAX_MS = 7 * 24 * 3_600_000;
/** The highest take number and chunk index a path may name (digits, at most nine). */
export const NARRATION_MAX_NUMBER = 999_999_999;
/** Takes one lecture may have (each reload of the console, each new "Record", starts one). */
export const NARRATION_MAX_TAKES = 1_000;
/** Chunks one lecture may have in all takes: at a chunk every 3 s, 83 hours of narration. */
export const NARRATION_MAX_CHUNKS = 100_000;
/** The bytes one chunk may have (a few seconds of Opus are tens of kB). */
export const NARRATION_MAX_CHUNK_BYTES = 4 * 1024 * 1024;

/** A whole number of ms, 0 … NARRATION_MAX_MS, written in decimal digits (a query value). */
const milliseconds = (name: string, what: string) =>
  z
    .string({ error: `${name} must be given once: ${what}, a whole number of ms` })
    .regex(/^\d{1,10}$/, `${name} must be ${what}, a whole number of ms (0 or more)`)
    .transform(Number)
    .refine((ms) => ms <= NARRATION_MAX_MS, `${name} must be at most ${NARRATION_MAX_MS} ms (a week)`);

/** `PUT …/chunks/:index?at=&audioAt=&duration=`: where the chunk sits in its take's time and audio. */
export const NarrationChunkQuery = z.object({
  at: milliseconds('at', 'the wall time since the take started at which the chunk begins, pauses included'),
  audioAt: milliseconds('audioAt', 'the recorded audio before the chunk'),
  duration: milliseconds('duration', 'the audio in the chunk'),
});
export type NarrationChunkQuery = z.infer<typeof NarrationChunkQuery>;

/**
 * A take number or chunk index from a path: decimal digits, `min` … NARRATION_MAX_NUMBER; else
 * undefined (`__proto__`, `1e3`, `-1`, `01x`…).
 */
export function parseNarrationNumber(text: string, min: number): number | undefined {
  if (!/^\d{1,9}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= NARRATION_MAX_NUMBER ? n : undefined;
}

/** One chunk as `narration.json` lists it. */
export interface NarrationChunkInfo {
  readonly index: number;
  /** ms of wall time since the take started at which the chunk begins (pauses included). */
  readonly at: number;
  /** ms of recorded audio before it: where it starts in the take's stream. */
  readonly audioAt: number;
  /** ms of audio in it. */
  readonly duration: number;
  readonly bytes: number;
}

/** One take as `narration.json` lists it. */
export interface NarrationTakeInfo {
  readonly take: number;
  readonly mime: string;
  /** When it started, ms since the epoch on the server's clock (the clock of events' `at`). */
  readonly startedAt: number;
  /** The end of its audio: its last chunk's audioAt + duration (0 without chunks). */
  readonly durationMs: number;
  readonly bytes: number;
  /** In index order; an index missing is a chunk never acknowledged. */
  readonly chunks: readonly NarrationChunkInfo[];
}

/** `GET /api/lectures/:id/narration.json`. */
export interface NarrationInfo {
  readonly takes: readonly NarrationTakeInfo[];
  /** The bytes of every take's chunks. */
  readonly bytes: number;
  /** The cap on `bytes` (NARRATION_MAX_BYTES). */
  readonly maxBytes: number;
}

/** `POST …/narration/takes`' answer. */
export interface CreatedNarrationTake {
  readonly take: number;
  readonly startedAt: number;
}
