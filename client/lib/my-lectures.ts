/**
 * The lectures this browser created (code, title, instructor token, when), kept in localStorage so
 * closing the tab or restarting the browser does not lose control of a lecture; the home page lists
 * them under "Your lectures". Storage is another program's input: what does not parse is skipped,
 * entry by entry, and disabled storage (private modes) means an empty list, never an error.
 */
import { z } from 'zod';
import { isJoinCode } from '../../shared/protocol/join-code.js';
import { LIMITS } from '../../shared/protocol/limits.js';

const KEY = 'backprop-live:my-lectures';
/** The just-created lecture of this tab (sessionStorage): its console shows the instructor link open. */
const CREATED_KEY = 'backprop-live:just-created';
/** Oldest are dropped beyond this many: the list stays one screen and storage stays small. */
export const MAX_MY_LECTURES = 50;

const MyLectureSchema = z.object({
  id: z.string().refine(isJoinCode),
  title: z.string().max(LIMITS.maxTitleLength).catch(''),
  // What the server issues: 32 random bytes in base64url.
  token: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  createdAt: z.number().int().nonnegative(),
});
export type MyLecture = z.infer<typeof MyLectureSchema>;

function readAll(): MyLecture[] {
  let raw: string | null;
  try {
    raw = localStorage.getItem(KEY);
  } catch {
    return [];
  }
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const seen = new Set<string>();
  const lectures: MyLecture[] = [];
  for (const item of parsed) {
    const entry = MyLectureSchema.safeParse(item);
    if (entry.success && !seen.has(entry.data.id)) {
      seen.add(entry.data.id);
      lectures.push(entry.data);
    }
  }
  return lectures;
}

function writeAll(lectures: readonly MyLecture[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(lectures.slice(0, MAX_MY_LECTURES)));
  } catch {
    // Disabled or full storage: the lecture still works in this tab (its token is in sessionStorage).
  }
}

/** This browser's lectures, newest first. */
export function myLectures(): MyLecture[] {
  return readAll().sort((a, b) => b.createdAt - a.createdAt);
}

export function myLecture(id: string): MyLecture | undefined {
  return readAll().find((l) => l.id === id);
}

/** Remembers a lecture this browser created (replacing an older entry of the same code). */
export function rememberLecture(lecture: MyLecture): void {
  const checked = MyLectureSchema.safeParse(lecture);
  if (!checked.success) return;
  writeAll([checked.data, ...myLectures().filter((l) => l.id !== lecture.id)]);
}

export function forgetLecture(id: string): void {
  writeAll(myLectures().filter((l) => l.id !== id));
}

/** Marks a lecture as created just now in this tab, for its console to show the instructor link. */
export function markJustCreated(id: string): void {
  try {
    sessionStorage.setItem(CREATED_KEY, id);
  } catch {
    /* the console then shows the link collapsed: still one click away */
  }
}

/** Whether this tab created this lecture just now; true once only. */
export function takeJustCreated(id: string): boolean {
  try {
    if (sessionStorage.getItem(CREATED_KEY) !== id) return false;
    sessionStorage.removeItem(CREATED_KEY);
    return true;
  } catch {
    return false;
  }
}
