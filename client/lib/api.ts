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

export async function createLecture(body: CreateLectureBody): Promise<CreatedLecture> {
  return json(await fetch('/api/lectures', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
}

export async function listLectures(): Promise<LectureSummary[]> {
  return json(await fetch('/api/lectures'));
}

export async function fetchRecording(id: string): Promise<Recording> {
  return json(await fetch(`/api/lectures/${encodeURIComponent(id)}/recording`));
}
