import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { provideCsvText, shortDigest } from '../shared/datasets/csv-texts.js';
import { CSV_SPEC_LIMITS, csvDataset, describeCsvIssue } from '../shared/datasets/spec.js';
import { lectureNotebook } from '../shared/export/notebook.js';
import { lossCsvPieces, weightsJson } from '../shared/export/weights.js';
import { describeIssues, parseCommand } from '../shared/protocol/commands.js';
import { CreateLectureBody, isLoopbackHost, LectureListQuery, type CreatedLecture, type SiteInfo } from '../shared/protocol/http.js';
import { LIMITS } from '../shared/protocol/limits.js';
import type { Snapshot } from '../shared/protocol/snapshot.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { normalizeJoinCode } from './ids.js';
import type { CommandCheck, CommandResult } from './lecture-room.js';
import type { LectureDirectory, LiveLecture } from './live-lecture.js';
import type { LectureStore } from './ports.js';
import { guessKeys, sameSecret, type GuessCounter, type SharedLimiter } from './guards.js';
import { addressKey } from './client-address.js';
import { csvDigest } from './csv-datasets.js';
import { logFailedRequest } from './error-pages.js';
import { lossJsonPieces, sendPieces } from './streaming.js';
import { ExportCache } from './export-cache.js';
import { parseCommandId, parseIdentifiedCommand } from '../shared/protocol/commands.js';
import { applyFrame } from '../shared/protocol/snapshot.js';

/** The recording download: the lecture, then its events spliced in as stored (they are JSON already). */
async function* recordingPieces(lecture: string, events: AsyncIterable<string>): AsyncGenerator<string> {
  yield `{"lecture":${lecture},"events":`;
  yield* events;
  yield '}';
}

export interface ApiOptions {
  readonly registry: LectureDirectory;
  readonly store: LectureStore;
  /** Absolute base of the links handed out; else taken from the request's host. */
  readonly publicUrl?: string;
  /** The base for a request that came to localhost, when PUBLIC_URL is not set (app.ts `lanUrl`). */
  readonly lanUrl?: string;
  /** When set, creating a lecture needs it in the X-Create-Key header (for a public server). */
  readonly createKey?: string;
  readonly guessGuard: GuessCounter;
  /** Lectures created, per address (across the nodes, in a cluster). */
  readonly creations: SharedLimiter;
  /** Commands sent over HTTP, per lecture (the budget an instructor's socket has; across the nodes, in a cluster). */
  readonly httpCommands: SharedLimiter;
  /** This process's name (NODE_ID, else the hostname), in /api/health and /api/ready. */
  readonly nodeId: string;
  /** In cluster mode: who owns a lecture, and whether PostgreSQL and Redis both answer. */
  readonly cluster?: ClusterView;
}

/** What the API reads of a cluster node (server/cluster/cluster-node.ts). */
export interface ClusterView {
  ownerOf(lectureId: string): Promise<{ node: string | null; since: number | null }>;
  ping(): Promise<void>;
}

/** The shuffle seed of an uploaded table's train/test split (the schema's default, written out). */
const CSV_DEFAULT_SEED = 1;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** More for the body beside `error` (the line and column of each CSV problem, say). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * The base of the links handed out: PUBLIC_URL; else, for a browser on this machine that called the
 * server localhost, its address on the room's network; else the host the request came to.
 */
function baseUrl(req: Request, publicUrl?: string, lanUrl?: string): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  if (lanUrl && isLoopbackHost(req.hostname)) return lanUrl;
  return `${req.protocol}://${req.get('host')}`;
}

/** The key limits count a request under (TRUST_PROXY decides req.ip; IPv6 by its /64). */
export const requestAddress = (req: Request): string => addressKey(req.ip ?? 'unknown');

/** 429 with Retry-After. */
function tooMany(message: string, seconds: number): HttpError {
  return new HttpError(429, message, { 'Retry-After': String(Math.max(1, seconds)) });
}

export class Refusals {
  constructor(private readonly guard: GuessCounter) {}

  /**
   * A failed attempt that could be a guess, counted under `key` (guessKeys): the error to throw.
   * Only failures are ever counted or refused, so a right code or token is never turned away; a
   * key failing too often gets 429 with the delay its next failure will be heard after.
   */
  async failedGuess(key: string, status: number, message: string): Promise<HttpError> {
    const wait = await this.guard.fail(key);
    if (wait > 0) return tooMany(`too many failed attempts from this address; a right one still works, a wrong one is heard again in ${wait} s`, wait);
    return new HttpError(status, message);
  }
}

/** Routes whose body is not JSON; each checks its own Content-Type. */
const NOT_JSON_BODY = /^\/lectures\/[^/]+\/dataset\.csv$/;
const CSV_TYPES = ['text/csv', 'text/plain'];

const parseJson = express.json({ limit: LIMITS.maxPayloadBytes, strict: true });

/**
 * Every body the API reads is JSON, and must say so. A page on another site can send text/plain,
 * form or multipart bodies, or none, without the browser asking first (no CORS preflight); it
 * cannot send application/json. So a lecture is never created, nor a command sent, cross-site.
 */
function jsonBodies(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || NOT_JSON_BODY.test(req.path)) return next();
  if (req.is('application/json')) return parseJson(req, res, next);
  const given = req.get('content-type');
  next(new HttpError(415, `send the body as JSON with Content-Type: application/json (got ${given ? `Content-Type: ${given.slice(0, 80)}` : 'no body'})`));
}

function requireCsv(req: Request, _res: Response, next: NextFunction): void {
  if (req.is(CSV_TYPES)) return next();
  next(new HttpError(415, 'send the table as the body with Content-Type: text/csv (or text/plain)'));
}

/**
 * The command API's old form of an uploaded table, `{kind: 'csv', text}`, kept for its clients:
 * the body with the text named by its digest (the text is provided to the cache here, and stored
 * once the command is checked). Null for any other body.
 */
function inlineCsv(body: unknown): { body: unknown; digest: string; text: string } | null {
  const b = body as { type?: unknown; dataset?: { kind?: unknown; text?: unknown } } | null;
  if (b?.type !== 'setDataset' || b.dataset?.kind !== 'csv' || typeof b.dataset.text !== 'string') return null;
  const { text, ...spec } = b.dataset;
  const digest = csvDigest(text);
  provideCsvText(digest, text);
  return { body: { ...b, dataset: { ...spec, digest } }, digest, text };
}

/** A refusal that says when to try again (a lecture's hourly limits) says it in the header too. */
function retryAfterHeader(result: { readonly retryAfter?: number }): Record<string, string> {
  return result.retryAfter ? { 'Retry-After': String(result.retryAfter) } : {};
}

/**
 * The command id of an HTTP command: the Idempotency-Key header, or the body's `commandId` (the
 * same rules, parseCommandId); both may be sent only when they agree. Undefined when neither is.
 */
function commandIdOf(req: Request, inBody: string | undefined): string | undefined {
  const header = req.get('idempotency-key');
  if (header === undefined) return inBody;
  const key = parseCommandId(header);
  if (!key.ok) throw new HttpError(400, `Idempotency-Key: ${key.error}`);
  if (inBody !== undefined && inBody !== key.value) throw new HttpError(400, 'the Idempotency-Key header and the body\'s commandId differ; send one, or the same id in both');
  return key.value;
}

function bearerToken(req: Request): string | null {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : null;
}

/** The lecture a route's `:id` names, loaded by the registry; an unknown code is 404 and counts as a guess. */
export async function lectureRoom(req: Request, registry: LectureDirectory, refusals: Refusals): Promise<LiveLecture> {
  const raw = String(req.params.id);
  const id = normalizeJoinCode(raw);
  const room = id ? await registry.get(id) : undefined;
  if (!room) throw await refusals.failedGuess(guessKeys.code(requestAddress(req)), 404, `no lecture with code "${raw.slice(0, 20)}"`);
  return room;
}

/**
 * The lecture of a route that acts for its instructor (commands, uploads, narration): 401 without
 * `Authorization: Bearer <token>`, 401 counted as a guess for a wrong one. One check for them all.
 */
export async function instructorLecture(req: Request, registry: LectureDirectory, refusals: Refusals): Promise<LiveLecture> {
  const room = await lectureRoom(req, registry, refusals);
  const token = bearerToken(req);
  if (!token) throw new HttpError(401, 'commands need the instructor token: Authorization: Bearer <instructorToken>');
  if (!registry.isInstructor(room, token)) throw await refusals.failedGuess(guessKeys.token(requestAddress(req), room.id), 401, 'the instructor token is not valid for this lecture');
  return room;
}

/** The JSON API under /api. Every body is validated; errors are `{error}` with a status that says why. */
export function apiRouter({ registry, store, publicUrl, lanUrl, createKey, guessGuard, creations, httpCommands, nodeId, cluster }: ApiOptions): Router {
  const api = express.Router();
  const refusals = new Refusals(guessGuard);
  const exports = new ExportCache();
  const findRoom = (req: Request): Promise<LiveLecture> => lectureRoom(req, registry, refusals);
  /** Uploaded tables whose command is under way, with how many: a refusal leaves a text another one needs. */
  const uploading = new Map<string, number>();
  /**
   * Runs a command that names an uploaded table with the table stored first, in the command's turn
   * (`run` passes `storeIt` to room.command as its check: an event must never name a text the
   * store lacks); a refused command takes its text out again, unless another upload of the same
   * table is under way, so refused uploads fill nothing.
   */
  const withStoredCsv = async (digest: string, text: string, run: (storeIt: CommandCheck) => Promise<CommandResult>): Promise<CommandResult> => {
    uploading.set(digest, (uploading.get(digest) ?? 0) + 1);
    let result: CommandResult | undefined;
    try {
      return (result = await run(async () => (await store.putDataset(digest, text), null)));
    } finally {
      const left = (uploading.get(digest) ?? 1) - 1;
      if (left > 0) uploading.set(digest, left);
      else uploading.delete(digest);
      if (!result?.ok && left === 0) await store.forgetUnusedDataset(digest);
    }
  };
  /**
   * The snapshot a lecture had just after event `seq`: its recording's frames folded over its first
   * snapshot, as a replay does (the answer to a repeated command, which may be long past).
   */
  const snapshotAfter = async (room: LiveLecture, seq: number): Promise<Snapshot> => {
    let snapshot = registry.initialSnapshot(room.record);
    for (const event of await store.events(room.id)) if (event.seq <= seq) snapshot = applyFrame(snapshot, event.frame);
    return snapshot;
  };
  api.use(jsonBodies);

  api.get('/health', (_req, res) => {
    res.json({ ok: true, protocol: PROTOCOL_VERSION, createKeyRequired: Boolean(createKey), node: nodeId });
  });

  // Readiness, for a load balancer: alive is not enough when the store does not answer.
  api.get('/ready', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      await (cluster ? cluster.ping() : store.ping());
      res.json({ ready: true, node: nodeId });
    } catch (e) {
      res.status(503).json({ ready: false, node: nodeId, reason: `${cluster ? 'PostgreSQL or Redis' : 'the store'} does not answer: ${e instanceof Error ? e.message : String(e)}` });
    }
  });

  // The base of the links the client hands out: the same one the create route's links use.
  api.get('/site', (req, res) => {
    const site: SiteInfo = { publicUrl: baseUrl(req, publicUrl, lanUrl) };
    res.json(site);
  });

  api.post('/lectures', async (req, res) => {
    const address = requestAddress(req);
    if (createKey) {
      const given = req.get('x-create-key');
      if (!given) throw new HttpError(401, 'this server needs the create key to create a lecture (X-Create-Key header)');
      if (!sameSecret(given, createKey)) throw await refusals.failedGuess(guessKeys.createKey(address), 401, 'the create key is not valid');
    }
    const parsed = CreateLectureBody.safeParse(req.body ?? {});
    if (!parsed.success) throw new HttpError(400, describeIssues(parsed.error));
    const creationWait = await creations.take(address);
    if (creationWait > 0) throw tooMany(`at most ${creations.capacity} lectures an hour from one address; try again in ${creationWait} s`, creationWait);
    const { room, token } = await registry.create(parsed.data);
    const base = baseUrl(req, publicUrl, lanUrl);
    const created: CreatedLecture = {
      id: room.id,
      instructorToken: token,
      studentUrl: `${base}/lecture/${room.id}`,
      instructorUrl: `${base}/lecture/${room.id}/instructor#token=${token}`,
    };
    res.status(201).location(`/api/lectures/${room.id}/state`).json(created);
  });

  // A page of listed lectures, newest first; the next page: ?before=<createdAt>.<id> of the last one.
  api.get('/lectures', async (req, res) => {
    const query = LectureListQuery.safeParse(req.query);
    if (!query.success) throw new HttpError(400, describeIssues(query.error));
    res.json(await store.listLectures(query.data));
  });

  // For operators and tests: the node that holds the lecture's lock now (one process: this one).
  api.get('/lectures/:id/owner', async (req, res) => {
    const raw = String(req.params.id);
    const id = normalizeJoinCode(raw);
    // Read from the store, not opened: an operator polling every node must not make each follow the lecture.
    const record = id ? await store.getLecture(id) : undefined;
    if (!record) throw await refusals.failedGuess(guessKeys.code(requestAddress(req)), 404, `no lecture with code "${raw.slice(0, 20)}"`);
    res.set('Cache-Control', 'no-store');
    res.json(cluster ? await cluster.ownerOf(record.id) : { node: nodeId, since: null });
  });

  api.get('/lectures/:id/state', async (req, res) => {
    res.json((await findRoom(req)).snapshot());
  });

  const instructorRoom = async (req: Request): Promise<LiveLecture> => {
    const room = await instructorLecture(req, registry, refusals);
    const wait = await httpCommands.take(room.id);
    if (wait > 0) throw tooMany(`too many commands; at most ${httpCommands.perSecond} a second per lecture`, wait);
    return room;
  };

  api.post('/lectures/:id/commands', async (req, res) => {
    const room = await instructorRoom(req);
    const inline = inlineCsv(req.body);
    const parsed = parseIdentifiedCommand(inline ? inline.body : req.body);
    if (!parsed.ok) throw new HttpError(400, parsed.error);
    const { command } = parsed.value;
    const commandId = commandIdOf(req, parsed.value.commandId);
    // In the command's turn: the inline table stored (when there is one), then its dataset checked;
    // the snapshot as the command left it, before the next one's turn.
    let after: Snapshot | undefined;
    const decide = (storeIt?: CommandCheck): Promise<CommandResult> =>
      room.command(
        command,
        async () => (await storeIt?.()) ?? registry.datasetProblem(room, command),
        () => (after = room.snapshot()),
        commandId,
      );
    const result = inline ? await withStoredCsv(inline.digest, inline.text, decide) : await decide();
    if (!result.ok) throw new HttpError(result.status, result.error, retryAfterHeader(result));
    // A repeat of a command id: the body the command's first answer had, rebuilt from the recording.
    res.json(result.repeat ? await snapshotAfter(room, result.seq) : (after ?? room.snapshot()));
  });

  // An uploaded table: too big for a socket message, so it comes here as text, is stored once under
  // its digest, and becomes a setDataset command that names it by digest.
  api.post('/lectures/:id/dataset.csv', requireCsv, express.text({ type: CSV_TYPES, limit: CSV_SPEC_LIMITS.maxTextLength }), async (req, res) => {
    const room = await instructorRoom(req);
    const text = typeof req.body === 'string' ? req.body : '';
    if (!text.trim()) throw new HttpError(400, 'the CSV is empty: send the file as the body (Content-Type: text/csv)');
    const name = String(req.query.name ?? 'uploaded data').trim().slice(0, CSV_SPEC_LIMITS.maxNameLength) || 'uploaded data';
    const trainFraction = req.query.trainFraction === undefined ? 1 : Number(req.query.trainFraction);
    const digest = csvDigest(text);
    provideCsvText(digest, text);
    // Parsed here for the problems' lines and columns; the command below reuses the parse (csvDataset).
    const checked = csvDataset(digest, name, trainFraction, CSV_DEFAULT_SEED);
    if (!checked.ok) {
      const more = checked.moreErrors > 0 ? ` (and ${checked.moreErrors} more problems)` : '';
      throw new HttpError(400, `the CSV has problems: ${checked.errors.map(describeCsvIssue).join('; ')}${more}`, {}, { issues: checked.errors, moreErrors: checked.moreErrors });
    }
    const command = parseCommand({ type: 'setDataset', dataset: { kind: 'csv', name, digest, trainFraction, seed: CSV_DEFAULT_SEED } });
    if (!command.ok) throw new HttpError(400, command.error);
    const commandId = commandIdOf(req, undefined);
    const result = await withStoredCsv(digest, text, (storeIt) => room.command(command.value, storeIt, undefined, commandId));
    if (!result.ok) throw new HttpError(result.status, result.error, retryAfterHeader(result));
    res.json({ ok: true, seq: result.seq, digest, rows: checked.table.samples.length, features: checked.table.featureNames.length });
  });

  // An uploaded table's text, by the digest its lecture's snapshot names. The digest is the
  // content, so the answer never changes: cached for good, and revalidated by ETag (304 to a
  // matching If-None-Match). A 64-hex digest cannot be guessed.
  api.get('/datasets/:file', async (req, res) => {
    const match = /^([0-9a-f]{64})\.csv$/.exec(String(req.params.file));
    if (!match) throw new HttpError(400, 'a dataset is named by its digest: /api/datasets/<SHA-256, 64 lowercase hex digits>.csv');
    const text = await store.datasetText(match[1]);
    if (text === undefined) throw new HttpError(404, `no CSV with digest ${shortDigest(match[1])}`);
    const etag = `"${match[1]}"`;
    res.set({ 'Cache-Control': 'public, max-age=31536000, immutable', ETag: etag });
    const known = (req.get('if-none-match') ?? '').split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    if (known.includes(etag) || known.includes('*')) return void res.status(304).end();
    res.type('text/csv; charset=utf-8').send(text);
  });

  // Streamed: 100,000 epochs trained many times over is megabytes of numbers.
  api.get('/lectures/:id/loss', async (req, res) => {
    const history = (await (await findRoom(req)).fullState()).network.lossHistory;
    res.type('application/json');
    await sendPieces(res, lossJsonPieces(history));
  });

  // Exports: the lecture as a Jupyter notebook that replays its weights, the weights, the loss history.
  api.get('/lectures/:id/export.ipynb', async (req, res) => {
    const room = await findRoom(req);
    const { record } = room;
    const config = { lectureId: record.id, title: record.title, preset: record.preset, seed: record.seed, learningRate: record.learningRate };
    // Built from the stored events, whose trainings carry their results (nothing is trained again), once per (lecture, seq).
    const { seq } = room;
    const text = await exports.get(record.id, seq, async () => {
      // Up to this seq: the store may hold the next event a moment before the room has taken it.
      const events = (await store.events(record.id)).filter((e) => e.seq <= seq);
      await registry.loadTexts(events);
      return JSON.stringify(lectureNotebook(config, events), null, 1);
    });
    res.type('application/x-ipynb+json').attachment(`backprop-live-${record.id}.ipynb`).send(text);
  });

  api.get('/lectures/:id/export/weights.json', async (req, res) => {
    const room = await findRoom(req);
    const state = await room.fullState();
    res.attachment(`backprop-live-${room.id}-weights.json`).json(weightsJson(room.id, state.seq, state.network));
  });

  api.get('/lectures/:id/export/loss.csv', async (req, res) => {
    const room = await findRoom(req);
    const state = await room.fullState();
    res.type('text/csv').attachment(`backprop-live-${room.id}-loss.csv`);
    await sendPieces(res, lossCsvPieces(state.network.lossHistory, state.testLoss));
  });

  api.get('/lectures/:id/recording', async (req, res) => {
    const room = await findRoom(req);
    const { record } = room;
    // The stored frames are already JSON: splice them in rather than parse and re-serialise.
    const lecture = {
      id: record.id,
      title: record.title,
      createdAt: record.createdAt,
      eventCount: room.seq,
      initial: registry.initialSnapshot(record),
    };
    res.type('application/json');
    // Events up to the count named above, even while commands go on during the download.
    await sendPieces(res, recordingPieces(JSON.stringify(lecture), store.eventsJson(record.id, lecture.eventCount)));
  });

  api.use((req, _res, next) => next(new HttpError(404, `no API route ${req.method} ${req.path}`)));
  api.use(apiErrorHandler);
  return api;
}

/**
 * Turns every error, including body-parser's, into a JSON `{error}` and one log line; never lets
 * input crash the server, never sends a stack (a 500 says only "internal error").
 */
export function apiErrorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  const { status, body, headers } = apiErrorResponse(err);
  logFailedRequest(req, status, status >= 500 ? err : body.error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).set(headers).json(body);
}

function apiErrorResponse(err: unknown): { status: number; body: { error: string }; headers: Record<string, string> } {
  if (err instanceof HttpError) return { status: err.status, body: { error: err.message, ...err.details }, headers: err.headers };
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') return { status: 400, body: { error: `malformed JSON: ${e.message}` }, headers: {} };
  if (e?.type === 'entity.too.large') {
    const limit = (e as { limit?: number }).limit ?? LIMITS.maxPayloadBytes;
    return { status: 413, body: { error: `the body is larger than ${limit} bytes` }, headers: {} };
  }
  if (err instanceof URIError) return { status: 400, body: { error: 'the address has a malformed %-escape' }, headers: {} };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return { status: e.status, body: { error: e.message ?? 'bad request' }, headers: {} };
  return { status: 500, body: { error: 'internal error' }, headers: {} };
}
