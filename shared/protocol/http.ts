import { z } from 'zod';
import { LIMITS } from './limits.js';
import { printableText } from '../datasets/safe-text.js';
import { LearningRateSchema, PresetSchema, SeedSchema } from './commands.js';
import type { Frame, Snapshot } from './snapshot.js';
import type { RecordedCommand } from './commands.js';

export const CreateLectureBody = z.strictObject({
  // Shown to every student and written into exports: printable text only (no control or format characters).
  title: z.string().trim().max(LIMITS.maxTitleLength, `title must be at most ${LIMITS.maxTitleLength} characters`).superRefine(printableText('the title')).optional(),
  preset: PresetSchema.optional(),
  seed: SeedSchema.optional(),
  learningRate: LearningRateSchema.optional(),
  // Off unless the creator asks: the home page's list shows a stranger's title to every visitor.
  listed: z.boolean({ error: 'listed must be true or false' }).default(false),
});
export type CreateLectureBody = z.infer<typeof CreateLectureBody>;

/** Lectures per page of `GET /api/lectures` (`limit`: at most this, default LECTURES_PAGE_DEFAULT). */
export const LECTURES_PAGE_MAX = 100;
export const LECTURES_PAGE_DEFAULT = 50;

/**
 * `GET /api/lectures?limit=&before=`: newest first; the next page is `before=<createdAt>.<id>`
 * of the last lecture of this one (a cursor, so a page never shifts as lectures are created).
 */
export const LectureListQuery = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(LECTURES_PAGE_MAX, `limit must be at most ${LECTURES_PAGE_MAX}`)
    .default(LECTURES_PAGE_DEFAULT),
  before: z
    .string()
    .regex(/^\d{1,15}\.[0-9A-Z]{1,12}$/, 'before must be the cursor <createdAt>.<id> of the last lecture of the previous page')
    .transform((text) => {
      const dot = text.indexOf('.');
      return { createdAt: Number(text.slice(0, dot)), id: text.slice(dot + 1) };
    })
    .optional(),
});
export type LectureListQuery = z.infer<typeof LectureListQuery>;

/** The cursor of the page after the one that ends with this lecture. */
export function lecturesCursor(last: { readonly createdAt: number; readonly id: string }): string {
  return `${last.createdAt}.${last.id}`;
}

export interface CreatedLecture {
  readonly id: string;
  readonly instructorToken: string;
  readonly studentUrl: string;
  readonly instructorUrl: string;
}

/**
 * `GET /api/site`: the base of every link and QR code the client hands out (PUBLIC_URL when set,
 * else the host the request came to, without a trailing slash), so no page builds one from its own
 * address (localhost on the instructor's laptop is no address for a phone).
 */
export const SiteInfo = z.object({
  publicUrl: z.url({ protocol: /^https?$/, error: 'publicUrl must be an http(s) URL' }).regex(/[^/]$/, 'publicUrl must not end with a slash'),
});
export type SiteInfo = z.infer<typeof SiteInfo>;

/**
 * Whether a host name (a URL's hostname, a request's Host without its port) names this machine
 * only: localhost, 127.x, ::1. A link on such a host opens nothing on a student's phone.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export interface LectureSummary {
  readonly id: string;
  readonly title: string;
  readonly createdAt: number;
  readonly eventCount: number;
}

export interface RecordedEvent {
  readonly seq: number;
  readonly at: number;
  readonly command: RecordedCommand;
  readonly frame: Frame;
}

/** A whole lecture: its state at creation, then every applied command with the frame it produced. */
export interface Recording {
  readonly lecture: LectureSummary & { readonly initial: Snapshot };
  readonly events: readonly RecordedEvent[];
}

export interface ErrorBody {
  readonly error: string;
}
