/**
 * The narration routes under /api (docs/protocol.md, "Narration"): the instructor uploads the
 * recording's chunks as they are recorded; anyone with the code plays or downloads them. They use
 * the store directly, never a LectureRoom's state, so in cluster mode any node serves them.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { describeIssues } from '../shared/protocol/commands.js';
import {
  NARRATION_MAX_CHUNK_BYTES,
  NARRATION_MAX_CHUNKS,
  NARRATION_MAX_TAKES,
  NarrationChunkQuery,
  narrationExtension,
  NarrationTakeBody,
  parseNarrationNumber,
  type CreatedNarrationTake,
  type NarrationInfo,
  type NarrationTakeInfo,
} from '../shared/protocol/narration.js';
import { apiErrorHandler, HttpError, instructorLecture, Refusals, requestAddress } from './http-api.js';
import { guessKeys, type GuessCounter } from './guards.js';
import { normalizeJoinCode } from './ids.js';
import type { LectureDirectory } from './live-lecture.js';
import type { Clock, LectureRecord, LectureStore, NarrationPut, StoredNarrationTake } from './ports.js';
import { rangeBytes, streamLength, type ByteRange } from './narration-stream.js';
import { sendPieces } from './streaming.js';

/** What one lecture's narration may hold by default (NARRATION_MAX_BYTES): hours of Opus at 32 kbit/s. */
export const DEFAULT_NARRATION_MAX_BYTES = 200_000_000;

export interface NarrationApiOptions {
  readonly registry: LectureDirectory;
  readonly store: LectureStore;
  /** The server's clock: a take's startedAt is on the clock of events' `at`. */
  readonly clock: Clock;
  readonly guessGuard: GuessCounter;
  /** The bytes one lecture's narration may hold in all takes (default DEFAULT_NARRATION_MAX_BYTES). */
  readonly maxBytes?: number;
}

/** The JSON body of a new take: a few bytes; it must say it is JSON (no cross-site simple request sends that). */
const parseTakeBody = express.json({ limit: 1024, strict: true });

/** A chunk's bytes, whatever audio type it says (the take's own type is what it is served as). */
const parseChunkBody = express.raw({ type: () => true, limit: NARRATION_MAX_CHUNK_BYTES });

/** "200 MB (200000000 bytes)": a cap as people read it, and exactly. */
function sizeText(bytes: number): string {
  return bytes >= 1e6 ? `${Number((bytes / 1e6).toFixed(1))} MB (${bytes} bytes)` : `${bytes} bytes`;
}

/** Runs an express middleware inside a handler (the body is read only once the token is right). */
function run(middleware: express.RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => middleware(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
}

/** A take as narration.json lists it. */
function takeInfo(t: StoredNarrationTake): NarrationTakeInfo {
  const last = t.chunks.reduce((end, c) => Math.max(end, c.audioAt + c.duration), 0);
  return { take: t.take, mime: t.mime, startedAt: t.startedAt, durationMs: last, bytes: streamLength(t.chunks), chunks: t.chunks };
}

export function narrationRouter({ registry, store, clock, guessGuard, maxBytes = DEFAULT_NARRATION_MAX_BYTES }: NarrationApiOptions): Router {
  const api = express.Router();
  const refusals = new Refusals(guessGuard);
  const caps = { maxBytes, maxChunks: NARRATION_MAX_CHUNKS };

  /** The lecture of a public route, from the store (404 for an unknown code, counted as a guess, as every lookup is). */
  const publicLecture = async (req: Request): Promise<LectureRecord> => {
    const raw = String(req.params.id);
    const id = normalizeJoinCode(raw);
    const record = id ? await store.getLecture(id) : undefined;
    if (!record) throw await refusals.failedGuess(guessKeys.code(requestAddress(req)), 404, `no lecture with code "${raw.slice(0, 20)}"`);
    return record;
  };
  const instructorRecord = async (req: Request): Promise<LectureRecord> => (await instructorLecture(req, registry, refusals)).record;
  const takeNumber = (req: Request): number => {
    const take = parseNarrationNumber(String(req.params.take), 1);
    if (take === undefined) throw new HttpError(400, `a take is named by its number, 1 or more (the answer of POST …/narration/takes); got "${String(req.params.take).slice(0, 20)}"`);
    return take;
  };
  /** The take, or 404 with a sentence that says what there is. */
  const findTake = async (record: LectureRecord, take: number | 'first'): Promise<StoredNarrationTake> => {
    const takes = await store.narration(record.id);
    const found = take === 'first' ? takes[0] : takes.find((t) => t.take === take);
    if (found) return found;
    if (takes.length === 0) throw new HttpError(404, `lecture ${record.id} has no narration`);
    throw new HttpError(404, `lecture ${record.id} has no narration take ${take}; its takes are ${takes.map((t) => t.take).join(', ')}`);
  };

  api.post('/lectures/:id/narration/takes', async (req, res) => {
    const record = await instructorRecord(req);
    if (!req.is('application/json')) throw new HttpError(415, 'send the body as JSON with Content-Type: application/json, like {"mime": "audio/webm;codecs=opus"}');
    await run(parseTakeBody, req, res);
    const body = NarrationTakeBody.safeParse(req.body ?? {});
    if (!body.success) throw new HttpError(400, describeIssues(body.error));
    const startedAt = clock.now();
    const take = await store.createNarrationTake(record.id, { mime: body.data.mime, startedAt }, NARRATION_MAX_TAKES);
    if (take === undefined) throw new HttpError(409, `a lecture has at most ${NARRATION_MAX_TAKES} narration takes; delete its narration (DELETE /api/lectures/${record.id}/narration) to record again`);
    const created: CreatedNarrationTake = { take, startedAt };
    res.status(201).location(`/api/lectures/${record.id}/narration/takes/${take}`).json(created);
  });

  api.put('/lectures/:id/narration/takes/:take/chunks/:index', async (req, res) => {
    const record = await instructorRecord(req);
    const take = takeNumber(req);
    const index = parseNarrationNumber(String(req.params.index), 0);
    if (index === undefined) throw new HttpError(400, `a chunk is named by its index, 0 or more, in the order it was recorded; got "${String(req.params.index).slice(0, 20)}"`);
    const query = NarrationChunkQuery.safeParse(req.query);
    if (!query.success) throw new HttpError(400, describeIssues(query.error));
    const type = req.get('content-type');
    if (!type || !req.is(['audio/*', 'application/octet-stream'])) {
      throw new HttpError(415, `send the chunk's bytes as the body with the take's audio type as Content-Type (got ${type ? `Content-Type: ${type.slice(0, 80)}` : 'none'})`);
    }
    await run(parseChunkBody, req, res);
    const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (data.byteLength === 0) throw new HttpError(400, 'the chunk is empty: send its bytes as the body (skip a recorder\'s empty chunks)');
    const outcome: NarrationPut = await store.putNarrationChunk(record.id, take, { index, ...query.data, data }, caps);
    if (outcome === 'stored' || outcome === 'repeat') return void res.status(outcome === 'stored' ? 201 : 200).json({ stored: outcome === 'stored' });
    if (outcome === 'no-take') throw new HttpError(404, `lecture ${record.id} has no narration take ${take}; start one with POST /api/lectures/${record.id}/narration/takes`);
    if (outcome === 'over-chunks') throw new HttpError(413, `a lecture's narration holds at most ${NARRATION_MAX_CHUNKS} chunks; this one was not stored`);
    const held = await store.narrationBytes(record.id);
    throw new HttpError(413, `a lecture's narration is capped at ${sizeText(maxBytes)} (NARRATION_MAX_BYTES); it holds ${held} bytes, and this chunk of ${data.byteLength} bytes would pass the cap, so it was not stored`);
  });

  api.get('/lectures/:id/narration.json', async (req, res) => {
    const record = await publicLecture(req);
    const takes = (await store.narration(record.id)).map(takeInfo);
    const info: NarrationInfo = { takes, bytes: takes.reduce((sum, t) => sum + t.bytes, 0), maxBytes };
    res.set('Cache-Control', 'no-cache').json(info);
  });

  /** A take's stream, whole (200) or a single range of it (206); 416 for a range it does not have. */
  const sendTake = async (req: Request, res: Response, record: LectureRecord, take: StoredNarrationTake) => {
    const total = streamLength(take.chunks);
    res.set({ 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-cache' });
    if (req.query.download === '1') res.attachment(`backprop-live-${record.id}-narration-${take.take}.${narrationExtension(take.mime)}`);
    // The take's own type, from the allow-list; helmet's nosniff keeps a browser from guessing another.
    res.set('Content-Type', take.mime);
    let range: ByteRange = { start: 0, end: total - 1 };
    const asked = req.range(total, { combine: true });
    if (asked === -1) {
      res.status(416).set('Content-Range', `bytes */${total}`).json({ error: `the range is outside take ${take.take}'s ${total} bytes` });
      return;
    }
    // A malformed Range, another unit, or several ranges: the whole stream, as HTTP allows.
    if (Array.isArray(asked) && asked.type === 'bytes' && asked.length === 1) {
      range = { start: asked[0].start, end: asked[0].end };
      res.status(206).set('Content-Range', `bytes ${range.start}-${range.end}/${total}`);
    }
    res.set('Content-Length', String(range.end - range.start + 1));
    if (req.method === 'HEAD' || total === 0) return void res.end();
    await sendPieces(res, rangeBytes(store, record.id, take.take, take.chunks, range));
  };

  api.get('/lectures/:id/narration/takes/:take', async (req, res) => {
    const record = await publicLecture(req);
    await sendTake(req, res, record, await findTake(record, takeNumber(req)));
  });

  // The common case of one take: the first.
  api.get('/lectures/:id/narration', async (req, res) => {
    const record = await publicLecture(req);
    await sendTake(req, res, record, await findTake(record, 'first'));
  });

  api.delete('/lectures/:id/narration', async (req, res) => {
    const record = await instructorRecord(req);
    await store.deleteNarration(record.id);
    res.status(204).end();
  });

  api.use((err: unknown, req: Request, res: Response, next: NextFunction) => apiErrorHandler(err, req, res, next));
  return api;
}
