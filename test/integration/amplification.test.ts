/**
 * Issue 10, finding 5: snapshot amplification. An uploaded table travels by digest, its rows once
 * per browser from a cacheable route; `sync` sends a socket at most one snapshot per interval; a
 * socket that does not read is dropped once its queue passes the limit. Every attack here goes to
 * 127.0.0.1 only and is bounded in count.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hasCsvText, provideCsvText, CSV_TEXT_CACHE } from '../../shared/datasets/csv-texts.js';
import { createLecture as newLectureState, decide, evolve } from '../../shared/lecture/decider.js';
import { frameBetween } from '../../shared/lecture/views.js';
import { parseCommand } from '../../shared/protocol/commands.js';
import type { CatchUp, SyncRefusal } from '../../shared/protocol/socket.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { hashToken } from '../../server/ids.js';
import { bufferedBytes } from '../../server/send-buffer.js';
import { ManualClock, startServer, type TestServer } from '../support/server.js';
import { createLecture, http, LectureClient } from '../support/clients.js';

let server: TestServer | undefined;
const clients: LectureClient[] = [];
const raw: WebSocket[] = [];
afterEach(async () => {
  while (clients.length) clients.pop()!.close();
  while (raw.length) raw.pop()!.terminate();
  await server?.close();
  server = undefined;
});

async function connect(url: string, auth: Parameters<typeof LectureClient.connect>[1]) {
  const c = await LectureClient.connect(url, auth);
  clients.push(c);
  return c;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** 10,000 rows of 8 features and a 0/1 target: about 580 KB, the size the finding measured against. */
const BIG_CSV = `a,b,c,d,e,f,g,h,y\n${Array.from({ length: 10_000 }, (_, i) => `${Array.from({ length: 8 }, (_, j) => (((i * 7 + j * 13) % 997) / 997).toFixed(4)).join(',')},${i % 2}`).join('\n')}\n`;

function upload(url: string, id: string, token: string, text: string, query = '?name=big.csv') {
  return fetch(`${url}/api/lectures/${id}/dataset.csv${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    body: text,
  }).then(async (r) => ({ status: r.status, json: await r.json() }));
}

/** Pushes every text out of this process's cache of CSV texts, so the server must go back to its store. */
function forgetCachedTexts(): void {
  for (let i = 0; i <= CSV_TEXT_CACHE.maxTexts; i++) provideCsvText(sha256(`filler ${i}`), `x,y\n${i},0\n`);
}

describe('an uploaded table travels by digest', () => {
  it('a snapshot names a 10,000-row table in a few bytes; its rows come once, cacheable, from /api/datasets', async () => {
    server = await startServer();
    const { id, instructorToken } = await createLecture(server.url);
    const res = await upload(server.url, id, instructorToken, BIG_CSV);
    expect(res).toMatchObject({ status: 200, json: { ok: true, seq: 1, rows: 10_000, features: 8 } });
    const digest = sha256(BIG_CSV);
    expect(res.json.digest).toBe(digest);

    const state = await http(server.url, 'GET', `/api/lectures/${id}/state`);
    expect(state.text.length).toBeLessThan(50_000);
    expect(state.json.dataset).toEqual({ kind: 'csv', name: 'big.csv', digest, trainFraction: 1, seed: 1 });
    const student = await connect(server.url, { lectureId: id });
    expect(JSON.stringify(student.state).length).toBeLessThan(50_000);
    expect(student.state!.dataset).toEqual(state.json.dataset);

    const rows = await fetch(`${server.url}/api/datasets/${digest}.csv`);
    expect(rows.status).toBe(200);
    expect(await rows.text()).toBe(BIG_CSV);
    expect(rows.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(rows.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(rows.headers.get('etag')).toBe(`"${digest}"`);
    const again = await fetch(`${server.url}/api/datasets/${digest}.csv`, { headers: { 'if-none-match': `"${digest}"` } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');

    expect((await http(server.url, 'GET', `/api/datasets/${'0'.repeat(64)}.csv`)).status).toBe(404);
    for (const bad of ['nope.csv', `${digest.toUpperCase()}.csv`, digest, `${digest}.json`, `${digest.slice(1)}.csv`]) {
      const r = await http(server.url, 'GET', `/api/datasets/${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.json.error).toContain('digest');
    }

    // The store holds the text once; the recording names it by digest, twice as small as the table.
    const recording = await http(server.url, 'GET', `/api/lectures/${id}/recording`);
    expect(recording.text).toContain(digest);
    expect(recording.text.length).toBeLessThan(50_000);
    // The export makes datasets of new spec objects: with the cache emptied, the server reads its store.
    forgetCachedTexts();
    expect(hasCsvText(digest)).toBe(false);
    expect((await http(server.url, 'GET', `/api/lectures/${id}/export.ipynb`)).status).toBe(200);
  });

  it('a setDataset naming a digest nobody uploaded is refused; the old inline form is converted over HTTP, refused on sockets', async () => {
    server = await startServer();
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    const unknown = await instructor.command({ type: 'setDataset', dataset: { kind: 'csv', digest: 'a'.repeat(64) } });
    expect(unknown).toMatchObject({ ok: false, status: 400 });
    expect((unknown as { error: string }).error).toContain(`upload the CSV first: POST /api/lectures/${id}/dataset.csv`);
    const overHttp = await http(server.url, 'POST', `/api/lectures/${id}/commands`, { type: 'setDataset', dataset: { kind: 'csv', digest: 'b'.repeat(64) } }, instructorToken);
    expect(overHttp.status).toBe(400);
    expect(overHttp.json.error).toContain('upload the CSV first');
    const inline = await instructor.command({ type: 'setDataset', dataset: { kind: 'csv', text: 'x,y\n1,0\n2,1\n' } });
    expect(inline).toMatchObject({ ok: false, status: 400 });
    expect((inline as { error: string }).error).toContain('upload the file (POST /api/lectures/<code>/dataset.csv');
    expect((await http(server.url, 'GET', `/api/lectures/${id}/state`)).json.seq).toBe(0);

    const text = 'x,y\n1,0\n2,1\n3,0\n';
    const converted = await http(server.url, 'POST', `/api/lectures/${id}/commands`, { type: 'setDataset', dataset: { kind: 'csv', name: 'old.csv', text } }, instructorToken);
    expect(converted.status, converted.text).toBe(200);
    expect(converted.json.dataset).toEqual({ kind: 'csv', name: 'old.csv', digest: sha256(text), trainFraction: 1, seed: 1 });
    expect(await server.store.datasetText(sha256(text))).toBe(text);
    // Now that it is uploaded, the socket may name it.
    await instructor.command({ type: 'setDataset', dataset: { kind: 'truthTable', table: 'xor' } });
    expect(await instructor.command({ type: 'setDataset', dataset: { kind: 'csv', name: 'again.csv', digest: sha256(text) } })).toEqual({ ok: true, seq: 3 });
  });

  it('a refused upload leaves nothing in the store', async () => {
    server = await startServer();
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    // An open prediction: changing the data must wait for its reveal (409).
    expect(await instructor.command({ type: 'ask', tensor: 'C_act', index: [0] })).toMatchObject({ ok: true });
    const text = 'u,v,y\n1,2,0\n3,4,1\n';
    const refused = await upload(server.url, id, instructorToken, text);
    expect(refused.status).toBe(409);
    expect(await server.store.datasetText(sha256(text))).toBeUndefined();
    expect((await http(server.url, 'GET', `/api/datasets/${sha256(text)}.csv`)).status).toBe(404);
  });
});

describe('sync cannot be used to amplify', () => {
  it('20 sockets sending 30 syncs each get at most one snapshot per socket per window; the rest are 429 with when to retry', async () => {
    // A clock that stands still: the whole attack happens inside one window, however slow the machine.
    const clock = new ManualClock();
    server = await startServer({ clock });
    const { id, instructorToken } = await createLecture(server.url);
    expect((await upload(server.url, id, instructorToken, BIG_CSV)).status).toBe(200);
    const sockets = await Promise.all(Array.from({ length: 20 }, () => connect(server!.url, { lectureId: id })));
    const sync = (c: LectureClient, lastSeq: number) => c.socket.timeout(10_000).emitWithAck('sync', { lastSeq }) as Promise<CatchUp | SyncRefusal>;

    // Each socket had its snapshot when it joined; lastSeq 0 needs another (a snapshot is smaller than the frames).
    const answers = await Promise.all(sockets.map((c) => Promise.all(Array.from({ length: 30 }, () => sync(c, 0)))));
    let bytes = 0;
    for (const perSocket of answers) {
      for (const a of perSocket) bytes += JSON.stringify(a).length;
      expect(perSocket.filter((a) => 'type' in a && a.type === 'snapshot').length).toBeLessThanOrEqual(1);
      for (const a of perSocket.filter((a) => 'error' in a)) expect(a).toMatchObject({ status: 429, retryAfter: 5 });
    }
    // 600 answers in a few KB each at most: the finding's version was 600 snapshots carrying the table.
    expect(bytes).toBeLessThan(600 * 300 + 20 * 50_000);

    // A window later, one more snapshot each, and again only one.
    clock.advance(5000);
    const later = await Promise.all(sockets.map((c) => Promise.all([sync(c, 0), sync(c, 0)])));
    for (const [first, second] of later) {
      expect(first).toMatchObject({ type: 'snapshot' });
      expect(second).toMatchObject({ status: 429 });
    }
    // Frames are not rationed: a socket one event behind gets them at once.
    const instructor = await connect(server.url, { lectureId: id, token: instructorToken });
    expect(await instructor.command({ type: 'step' })).toEqual({ ok: true, seq: 2 });
    expect(await sync(sockets[0], 1)).toMatchObject({ type: 'frames', frames: [{ seq: 2 }] });
  });
});

/**
 * A socket.io student spoken by hand over a raw WebSocket (engine.io v4 framing, socket.io v5
 * packets), so the test decides when it reads: `pause()` stops reading its TCP socket.
 */
async function rawStudent(port: number, lectureId: string): Promise<{ ws: WebSocket; sid: string; pause(): void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  raw.push(ws);
  const sid = await new Promise<string>((resolve, reject) => {
    ws.on('message', (data) => {
      const text = String(data);
      if (text.startsWith('0')) ws.send(`40${JSON.stringify({ protocol: PROTOCOL_VERSION, lectureId })}`);
      else if (text.startsWith('40')) resolve(JSON.parse(text.slice(2)).sid);
      else if (text.startsWith('44')) reject(new Error(text));
    });
    ws.on('error', reject);
  });
  return { ws, sid, pause: () => (ws as unknown as { _socket: { pause(): void } })._socket.pause() };
}

describe('a socket that does not read', () => {
  it('is dropped once its queue passes the limit, which it never passes by more than one message; readers get every frame', async () => {
    const limit = 256 * 1024;
    // Commands as fast as HTTP goes: the per-lecture command rate is lifted (edge-limits.test.ts tests it).
    const fast = { burst: 1e6, perSecond: 1e6 };
    server = await startServer({ maxSocketBufferBytes: limit, eventLimits: { student: { burst: 30, perSecond: 10 }, instructor: fast } });
    const { id, instructorToken } = await createLecture(server.url, { preset: 'random', seed: 1 });
    const reader = await connect(server.url, { lectureId: id });
    const stalled = await rawStudent(server.port, id);
    stalled.pause();
    const serverSide = () => server!.app.io.sockets.sockets.get(stalled.sid);
    expect(serverSide()).toBeDefined();

    // Frames of about 14 KB each (a new 3 × 16 network's weights), until the stalled socket is dropped:
    // the kernel's buffers fill first, then the server's queue. At most 2,000 (28 MB), within seconds.
    const hidden = [16, 16, 16].map((units) => ({ units, activation: 'tanh' as const }));
    let most = 0;
    let commands = 0;
    while (serverSide() && commands < 2000) {
      const res = await http(server.url, 'POST', `/api/lectures/${id}/commands`, { type: 'setNetwork', network: { hidden }, preset: 'random', seed: commands }, instructorToken);
      expect(res.status).toBe(200);
      commands++;
      const socket = serverSide();
      if (socket) most = Math.max(most, bufferedBytes(socket));
    }
    expect(serverSide(), `still connected after ${commands} frames, ${most} bytes queued`).toBeUndefined();
    const largestFrame = Math.max(...(await server.store.events(id)).map((e) => JSON.stringify(e.frame).length));
    expect(most).toBeLessThanOrEqual(limit + largestFrame + 64);

    // The reader, which reads, was never dropped and holds the lecture's state.
    expect(await reader.atSeq(commands)).toEqual((await http(server.url, 'GET', `/api/lectures/${id}/state`)).json);
    expect(reader.socket.connected).toBe(true);
  });
});

describe('a database written before tables travelled by reference', () => {
  it('comes back after a restart: the texts move to the datasets table, the events name them by digest, and the lecture exports', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'backprop-live-old-'));
    try {
      const text = `size,rooms,price\n${Array.from({ length: 40 }, (_, i) => `${100 + i},${(i % 4) + 1},${(i * 3) % 11}`).join('\n')}\n`;
      const digest = sha256(text);
      const token = 'old-instructor-token';
      writeOldDatabase(join(dataDir, 'backprop-live.sqlite'), 'PASTCS', token, text);
      // Nothing in this process may hold the text: the server must find it in its store.
      forgetCachedTexts();
      expect(hasCsvText(digest)).toBe(false);

      server = await startServer({ dataDir });
      const state = await http(server.url, 'GET', `/api/lectures/PASTCS/state`);
      expect(state.status).toBe(200);
      expect(state.json.seq).toBe(2);
      expect(state.json.dataset).toEqual({ kind: 'csv', name: 'old.csv', digest, trainFraction: 0.75, seed: 1 });
      expect(state.json.network.inputs).toBe(2);
      expect(await (await fetch(`${server.url}/api/datasets/${digest}.csv`)).text()).toBe(text);
      const recording = await http(server.url, 'GET', `/api/lectures/PASTCS/recording`);
      expect(recording.text).not.toContain('"text"');
      expect(recording.json.events[0].frame.dataset).toEqual(state.json.dataset);
      const notebook = await http(server.url, 'GET', `/api/lectures/PASTCS/export.ipynb`);
      expect(notebook.status).toBe(200);
      // The lecture goes on from where it was.
      expect((await http(server.url, 'POST', `/api/lectures/PASTCS/commands`, { type: 'step' }, token)).json.seq).toBe(3);
    } finally {
      await server?.close();
      server = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/**
 * A database as the server wrote it before this change: the old schema, and a lecture whose
 * setDataset event carries the CSV text inline, in its command and twice in its frame.
 */
function writeOldDatabase(file: string, lectureId: string, token: string, text: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE lectures (id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at INTEGER NOT NULL, listed INTEGER NOT NULL,
      token_hash TEXT NOT NULL, preset TEXT NOT NULL, seed INTEGER NOT NULL, learning_rate REAL NOT NULL);
    CREATE TABLE events (lecture_id TEXT NOT NULL REFERENCES lectures(id), seq INTEGER NOT NULL, at INTEGER NOT NULL,
      command TEXT NOT NULL, frame TEXT NOT NULL, reveal TEXT, PRIMARY KEY (lecture_id, seq)) WITHOUT ROWID;
    CREATE TABLE answers (lecture_id TEXT NOT NULL REFERENCES lectures(id), ask_seq INTEGER NOT NULL, client_id TEXT NOT NULL,
      value REAL NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (lecture_id, ask_seq, client_id)) WITHOUT ROWID;
    CREATE TABLE flags (lecture_id TEXT NOT NULL REFERENCES lectures(id), client_id TEXT NOT NULL, key TEXT NOT NULL,
      PRIMARY KEY (lecture_id, client_id, key)) WITHOUT ROWID;
  `);
  const at = Date.UTC(2025, 5, 1);
  db.prepare('INSERT INTO lectures VALUES (?, ?, ?, 1, ?, ?, 0, 1)').run(lectureId, 'An old lecture', at, hashToken(token), 'notebook');
  // The events as the old server decided them (by digest now, then written the old way, with the text).
  const digest = sha256(text);
  provideCsvText(digest, text);
  let state = newLectureState({ lectureId, title: 'An old lecture', preset: 'notebook', seed: 0, learningRate: 1 });
  const commands = [{ type: 'setDataset', dataset: { kind: 'csv', name: 'old.csv', digest, trainFraction: 0.75 } }, { type: 'step' }];
  const inline = (json: string) => json.replaceAll(`"digest":"${digest}"`, `"text":${JSON.stringify(text)}`);
  const insert = db.prepare('INSERT INTO events (lecture_id, seq, at, command, frame) VALUES (?, ?, ?, ?, ?)');
  for (const input of commands) {
    const parsed = parseCommand(input);
    if (!parsed.ok) throw new Error(parsed.error);
    const decision = decide(state, parsed.value, { now: at, newSeed: () => 1 });
    if (!decision.ok) throw new Error(decision.error);
    const next = evolve(state, decision.event);
    const frame = frameBetween(state, next, decision.event);
    insert.run(lectureId, decision.event.seq, at, inline(JSON.stringify(decision.event.command)), inline(JSON.stringify(frame)));
    state = next;
  }
  const stored = db.prepare<[], { frame: string }>('SELECT frame FROM events WHERE seq = 1').get()!;
  if (stored.frame.split(JSON.stringify(text)).length !== 3) throw new Error('the old frame should carry the text twice');
  db.close();
}
