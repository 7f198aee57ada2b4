/** Real HTTP calls of the narration routes (docs/protocol.md, "Narration"), for the integration tests. */
import { http } from './clients.js';

export interface ChunkTimes {
  readonly at: number;
  readonly audioAt: number;
  readonly duration: number;
}

/** Starts a take: the answer's status and JSON. */
export function startTake(base: string, lectureId: string, token: string | undefined, mime = 'audio/webm;codecs=opus') {
  return http(base, 'POST', `/api/lectures/${lectureId}/narration/takes`, { mime }, token);
}

/** Uploads one chunk as a recorder does: raw bytes, the take's type, its times in the query. */
export async function putChunk(
  base: string,
  lectureId: string,
  token: string | undefined,
  take: number | string,
  index: number | string,
  data: Uint8Array,
  times: ChunkTimes | string = { at: 0, audioAt: 0, duration: 1000 },
  /** The Content-Type; '' sends none. */
  type = 'audio/webm;codecs=opus',
) {
  const query = typeof times === 'string' ? times : `at=${times.at}&audioAt=${times.audioAt}&duration=${times.duration}`;
  const headers: Record<string, string> = {};
  if (type) headers['content-type'] = type;
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}/api/lectures/${lectureId}/narration/takes/${take}/chunks/${index}?${query}`, { method: 'PUT', headers, body: data as Uint8Array<ArrayBuffer> });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** GET of a take's (or the narration's) bytes, with an optional Range header. */
export async function getAudio(base: string, path: string, range?: string) {
  const res = await fetch(base + path, { headers: range ? { range } : {} });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** `count` bytes that differ from any other call's (a seeded pattern), so a misplaced byte shows. */
export function someBytes(count: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(count);
  let x = seed * 2654435761;
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}
