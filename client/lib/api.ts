import type { CreateLectureBody, CreatedLecture, LectureSummary, Recording } from '../../shared/index.js';

/** An HTTP error with the server's `{error}` message, readable as is. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function json<T>(response: Response): Promise<T> {
  if (response.ok) return (await response.json()) as T;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string') message = body.error;
  } catch {
    /* not JSON: keep the status line */
  }
  throw new ApiError(message, response.status);
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

export async function listLectures(): Promise<LectureSummary[]> {
  return json(await fetch('/api/lectures'));
}

export async function fetchRecording(id: string): Promise<Recording> {
  return json(await fetch(`/api/lectures/${encodeURIComponent(id)}/recording`));
}
