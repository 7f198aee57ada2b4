import type { Command } from '../../shared/protocol/commands.js';
import { lecturesCursor, type CreateLectureBody, type CreatedLecture, type LectureSummary, type Recording } from '../../shared/protocol/http.js';
import { loadCsvTexts, missingCsv, recordingSpecs } from './csv-texts.js';
import { newCommandId } from './command-sender.js';

/** Where a file is wrong: line and column (1-based; line 0 the whole file, column null a whole line). */
export interface FileIssue {
  readonly line: number;
  readonly column: number | null;
  readonly message: string;
}

/** An HTTP error with the server's `{error}` message, readable as is, and its `issues` when it lists some. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly issues: readonly FileIssue[] = [],
  ) {
    super(message);
  }
}

async function json<T>(response: Response): Promise<T> {
  if (response.ok) return (await response.json()) as T;
  let message = `${response.status} ${response.statusText}`;
  let issues: FileIssue[] = [];
  try {
    const body = (await response.json()) as { error?: unknown; issues?: unknown };
    if (typeof body.error === 'string') message = body.error;
    issues = fileIssues(body.issues);
  } catch {
    /* not JSON: keep the status line */
  }
  throw new ApiError(message, response.status, issues);
}

/** The well-formed entries of a server's `issues` list (anything else is left out, not trusted). */
function fileIssues(raw: unknown): FileIssue[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((i): i is { line: number; column: unknown; message: string } => typeof i?.line === 'number' && typeof i?.message === 'string')
    .map((i) => ({ line: i.line, column: typeof i.column === 'number' ? i.column : null, message: i.message }));
}

export async function createLecture(body: CreateLectureBody, createKey?: string): Promise<CreatedLecture> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (createKey) headers['x-create-key'] = createKey;
  return json(await fetch('/api/lectures', { method: 'POST', headers, body: JSON.stringify(body) }));
}

/** Whether this server wants a create key (a public deployment); false if it cannot say. */
export async function createKeyRequired(): Promise<boolean> {
  try {
    const health = await json<{ createKeyRequired?: boolean }>(await fetch('/api/health'));
    return health.createKeyRequired === true;
  } catch {
    return false;
  }
}

/** A page of the listed lectures, newest first; `after` is the last lecture of the page before. */
export async function listLectures(limit: number, after?: LectureSummary): Promise<LectureSummary[]> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (after) query.set('before', lecturesCursor(after));
  return json(await fetch(`/api/lectures?${query}`));
}

/** A lecture's recording, with the uploaded tables it names loaded (its views make datasets of them). */
export async function fetchRecording(id: string): Promise<Recording> {
  const recording = await json<Recording>(await fetch(`/api/lectures/${encodeURIComponent(id)}/recording`));
  await loadCsvTexts(missingCsv(recordingSpecs(recording)));
  return recording;
}

/**
 * Uploads a CSV file as the lecture's dataset (instructor only). Resolves with the seq of the
 * setDataset the server applied; rejects with an ApiError whose `issues` name the bad cells.
 */
export async function uploadDatasetCsv(
  lectureId: string,
  token: string,
  file: { name: string; text: string; trainFraction: number },
): Promise<{ ok: true; seq: number }> {
  const query = new URLSearchParams({ name: file.name, trainFraction: String(file.trainFraction) });
  // One id for the upload and its retry: a connection lost after the server applied it is sent
  // again, and the server answers the first application instead of applying it twice.
  const key = newCommandId();
  const send = () =>
    fetch(`/api/lectures/${encodeURIComponent(lectureId)}/dataset.csv?${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'idempotency-key': key },
      body: file.text,
    });
  return json(await send().catch(send));
}

/** A narration take the server opened: its number, and when it started on the server's clock (ms since epoch). */
export interface NarrationTake {
  readonly take: number;
  readonly startedAt: number;
}

/** Where a narration chunk sits: wall time since its take started (pauses included), recorded audio before it, audio in it (ms). */
export interface NarrationChunkTimes {
  readonly at: number;
  readonly audioAt: number;
  readonly duration: number;
}

const narrationPath = (lectureId: string) => `/api/lectures/${encodeURIComponent(lectureId)}/narration`;

/** Opens a new narration take (instructor only) for audio of this mime type. */
export async function createNarrationTake(lectureId: string, token: string, mime: string): Promise<NarrationTake> {
  return json(
    await fetch(`${narrationPath(lectureId)}/takes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mime }),
    }),
  );
}

/**
 * Stores one chunk of a take (instructor only). Idempotent on the server, so sending a chunk again
 * after a lost answer is safe; rejects with an ApiError (the server's sentence, its status) or,
 * when the request did not reach the server, with fetch's TypeError.
 */
export async function putNarrationChunk(lectureId: string, token: string, take: number, index: number, times: NarrationChunkTimes, data: Blob, mime: string): Promise<void> {
  const query = new URLSearchParams({ at: String(times.at), audioAt: String(times.audioAt), duration: String(times.duration) });
  await json(
    await fetch(`${narrationPath(lectureId)}/takes/${take}/chunks/${index}?${query}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': mime },
      body: data,
    }),
  );
}

/**
 * Sends a command over HTTP in a request that outlives the page (fetch's keepalive): what a
 * console that is being closed can still say, when its socket is already going away.
 */
export function sendCommandAsPageCloses(lectureId: string, token: string, command: Command): void {
  void fetch(`/api/lectures/${encodeURIComponent(lectureId)}/commands`, {
    method: 'POST',
    keepalive: true,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...command, commandId: newCommandId() }),
  }).catch(() => undefined);
}
