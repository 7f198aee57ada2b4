/**
 * Exactly-once commands (`commandId`, HTTP's Idempotency-Key) on both stores: the store keeps the
 * id with its event, unique per lecture; a repeat is answered as the first time and applied once,
 * over socket.io and HTTP, live, while the first is still under way, and after a kill -9 between
 * the commit and the acknowledgement (TEST_HOOK_EXIT_AFTER_COMMIT); hostile ids are refused and
 * change nothing.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../server/ports.js';
import { SqliteStore } from '../../server/sqlite-store.js';
import { EVENT_FORMAT_VERSION } from '../../shared/lecture/event-format.js';
import { emptyStore, STORES } from '../support/stores.js';
import { startServer, type TestServer } from '../support/server.js';
import { useChildServers } from '../support/child-server.js';
import { createLecture, http, LectureClient } from '../support/clients.js';
import { LINE_SEPARATORS, PROTOTYPE_NAMES } from '../support/hostile.js';

const record = (id: string) =>
  ({ id, title: `Lecture ${id}`, createdAt: Date.UTC(2026, 0, 1), listed: true, tokenHash: 'h', preset: 'notebook', seed: 1, learningRate: 0.5 }) as const;

const event = (seq: number, over: Partial<StoredEvent> = {}): StoredEvent => ({
  format: EVENT_FORMAT_VERSION,
  seq,
  at: Date.UTC(2026, 0, 1) + seq,
  command: { type: 'step' } as never,
  frame: { seq } as never,
  ...over,
});


/** Sends a command over HTTP with an Idempotency-Key (and any body). */
async function keyed(base: string, lectureId: string, token: string, body: unknown, key?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  if (key !== undefined) headers['idempotency-key'] = key;
  const res = await fetch(`${base}/api/lectures/${lectureId}/commands`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) };
}

const recordedTypes = async (base: string, id: string): Promise<string[]> =>
  (await http(base, 'GET', `/api/lectures/${id}/recording`)).json.events.map((e: { command: { type: string } }) => e.command.type);

describe.each(STORES)('the store keeps command ids on %s', (kind) => {
  it('with the event, unique per lecture: found by id, read back, a second event with it refused', async () => {
    const { store, reopen } = await emptyStore(kind);
    await store.createLecture(record('AAAAAA'));
    await store.createLecture(record('BBBBBB'));
    await store.appendEvent('AAAAAA', event(1, { commandId: 'c-1' }));
    await store.appendEvent('AAAAAA', event(2));
    await store.appendEvent('AAAAAA', event(3));
    await store.appendEvent('AAAAAA', event(4, { command: { type: 'train', epochs: 2, epochsRun: 2 } as never, commandId: '__proto__' }));
    // Another lecture may use the same id.
    await store.appendEvent('BBBBBB', event(1, { commandId: 'c-1' }));
    await expect(store.appendEvent('AAAAAA', event(5, { commandId: 'c-1' }))).rejects.toThrow();

    const again = await reopen();
    expect(await again.findCommand('AAAAAA', 'c-1')).toEqual({ seq: 1, type: 'step' });
    expect(await again.findCommand('AAAAAA', '__proto__')).toEqual({ seq: 4, type: 'train' });
    expect(await again.findCommand('AAAAAA', 'constructor')).toBeUndefined();
    expect(await again.findCommand('BBBBBB', 'c-1')).toEqual({ seq: 1, type: 'step' });
    const loaded = await again.events('AAAAAA');
    expect(loaded.map((e) => [e.seq, e.commandId])).toEqual([
      [1, 'c-1'],
      [2, undefined],
      [3, undefined],
      [4, '__proto__'],
    ]);
    // The refused append wrote nothing.
    expect(loaded).toHaveLength(4);
  });
});

describe('a SQLite database from before command ids', () => {
  it('gets the column and its unique index at open, keeping its events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backprop-old-'));
    try {
      const file = join(dir, 'backprop-live.sqlite');
      const old = new Database(file);
      old.exec(`CREATE TABLE lectures (id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at INTEGER NOT NULL, listed INTEGER NOT NULL, token_hash TEXT NOT NULL, preset TEXT NOT NULL, seed INTEGER NOT NULL, learning_rate REAL NOT NULL);
        CREATE TABLE events (lecture_id TEXT NOT NULL REFERENCES lectures(id), seq INTEGER NOT NULL, at INTEGER NOT NULL, command TEXT NOT NULL, frame TEXT NOT NULL, reveal TEXT, trained_params TEXT, trained_losses BLOB, format INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (lecture_id, seq)) WITHOUT ROWID;
        INSERT INTO lectures VALUES ('AAAAAA', 'A', 1, 1, 'h', 'notebook', 1, 0.5);
        INSERT INTO events (lecture_id, seq, at, command, frame) VALUES ('AAAAAA', 1, 2, '{"type":"step"}', '{"seq":1}');`);
      old.close();
      const store = new SqliteStore(file);
      try {
        expect((await store.events('AAAAAA')).map((e) => [e.seq, e.commandId])).toEqual([[1, undefined]]);
        await store.appendEvent('AAAAAA', event(2, { commandId: 'x' }));
        await expect(store.appendEvent('AAAAAA', event(3, { commandId: 'x' }))).rejects.toThrow();
        expect(await store.findCommand('AAAAAA', 'x')).toEqual({ seq: 2, type: 'step' });
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(STORES)('commands are applied once on %s', (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ store, guessesPerMinute: 10_000, eventLimits: { student: { burst: 10_000, perSecond: 10_000 }, instructor: { burst: 10_000, perSecond: 10_000 } } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('over socket.io: a repeat gets the original ack, later too, and the command is recorded once', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await LectureClient.connect(server.url, { lectureId: id, token: instructorToken });
    try {
      expect(await instructor.command({ type: 'step', commandId: 'a' })).toEqual({ ok: true, seq: 1 });
      expect(await instructor.command({ type: 'step', commandId: 'a' })).toEqual({ ok: true, seq: 1 });
      expect(await instructor.command({ type: 'step', commandId: 'b' })).toEqual({ ok: true, seq: 2 });
      expect(await instructor.command({ type: 'step' })).toEqual({ ok: true, seq: 3 });
      expect(await instructor.command({ type: 'step', commandId: 'a' })).toEqual({ ok: true, seq: 1 });
      // Sent at once, repeats among them: each id applied once, in arrival order.
      const acks = await Promise.all(['c', 'd', 'c', 'e', 'd', 'c'].map((commandId) => instructor.command({ type: 'setLearningRate', value: 0.25, commandId })));
      expect(acks.map((a) => (a.ok ? a.seq : a.status))).toEqual([4, 5, 4, 6, 5, 4]);
      expect((await http(server.url, 'GET', `/api/lectures/${id}/state`)).json.seq).toBe(6);
      expect(await recordedTypes(server.url, id)).toEqual(['step', 'step', 'step', 'setLearningRate', 'setLearningRate', 'setLearningRate']);
    } finally {
      instructor.close();
    }
  });

  it('over HTTP: Idempotency-Key (or the body’s commandId) answers a repeat with the original status and body', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    const first = await keyed(server.url, id, instructorToken, { type: 'forward' }, 'k-1');
    expect(first.status).toBe(200);
    expect(first.json.seq).toBe(1);
    expect((await keyed(server.url, id, instructorToken, { type: 'step' })).json.seq).toBe(2);
    const trained = await keyed(server.url, id, instructorToken, { type: 'train', epochs: 5 }, 'k-train');
    expect(trained.json.seq).toBe(3);
    // The snapshot the command left, not the lecture's state now.
    const repeat = await keyed(server.url, id, instructorToken, { type: 'forward' }, 'k-1');
    expect(repeat).toEqual(first);
    const repeatInBody = await keyed(server.url, id, instructorToken, { type: 'forward', commandId: 'k-1' });
    expect(repeatInBody).toEqual(first);
    expect(await keyed(server.url, id, instructorToken, { type: 'forward', commandId: 'k-1' }, 'k-1')).toEqual(first);
    const trainRepeat = await keyed(server.url, id, instructorToken, { type: 'train', epochs: 5 }, 'k-train');
    expect(trainRepeat).toEqual(trained);
    expect(trainRepeat.json).toMatchObject({ seq: 3, epoch: 5, training: null });
    expect(trainRepeat.json).toEqual((await http(server.url, 'GET', `/api/lectures/${id}/state`)).json);
    // One id space for both transports.
    const instructor = await LectureClient.connect(server.url, { lectureId: id, token: instructorToken });
    try {
      expect(await instructor.command({ type: 'forward', commandId: 'k-1' })).toEqual({ ok: true, seq: 1 });
      expect(await instructor.command({ type: 'step', commandId: 's-1' })).toEqual({ ok: true, seq: 4 });
    } finally {
      instructor.close();
    }
    expect((await keyed(server.url, id, instructorToken, { type: 'step' }, 's-1')).json.seq).toBe(4);
    expect(await recordedTypes(server.url, id)).toEqual(['forward', 'step', 'train', 'step']);
  });

  it('a CSV upload with an Idempotency-Key (as the console sends it) sent twice is applied once and answered with the first seq', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    const upload = async (key: string) => {
      const res = await fetch(`${server.url}/api/lectures/${id}/dataset.csv?name=xor.csv`, {
        method: 'POST',
        headers: { authorization: `Bearer ${instructorToken}`, 'content-type': 'text/csv', 'idempotency-key': key },
        body: 'a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n',
      });
      return { status: res.status, json: await res.json() };
    };
    const first = await upload('csv-1');
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(first.json.seq).toBe(1);
    expect(await upload('csv-1')).toEqual(first);
    expect((await http(server.url, 'GET', `/api/lectures/${id}/state`)).json.seq).toBe(1);
    expect(await recordedTypes(server.url, id)).toEqual(['setDataset']);
  });

  it('a header and a body that name different ids, or an id used for another command, are refused and change nothing', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    const differ = await keyed(server.url, id, instructorToken, { type: 'step', commandId: 'one' }, 'two');
    expect(differ.status).toBe(400);
    expect(differ.json.error).toBe("the Idempotency-Key header and the body's commandId differ; send one, or the same id in both");
    expect((await keyed(server.url, id, instructorToken, { type: 'step' }, 'used')).json.seq).toBe(1);
    const other = await keyed(server.url, id, instructorToken, { type: 'forward' }, 'used');
    expect(other).toEqual({ status: 409, json: { error: 'commandId "used" was already used for a step command; give every command its own id' } });
    expect(await recordedTypes(server.url, id)).toEqual(['step']);
  });

  it('a refused command stores nothing, so its retry is decided again', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await LectureClient.connect(server.url, { lectureId: id, token: instructorToken });
    try {
      expect(await instructor.command({ type: 'back', commandId: 'r' })).toEqual({ ok: false, status: 409, error: 'nothing to undo' });
      expect(await instructor.command({ type: 'step', commandId: 's' })).toEqual({ ok: true, seq: 1 });
      expect(await instructor.command({ type: 'back', commandId: 'r' })).toEqual({ ok: true, seq: 2 });
      expect(await instructor.command({ type: 'back', commandId: 'r' })).toEqual({ ok: true, seq: 2 });
      expect(await recordedTypes(server.url, id)).toEqual(['step', 'back']);
    } finally {
      instructor.close();
    }
  });

  it('a repeat of a training still running waits for it and gets its answer, over either transport: trained once', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await LectureClient.connect(server.url, { lectureId: id, token: instructorToken });
    try {
      const progressed = new Promise<void>((r) => instructor.socket.once('progress', () => r()));
      const first = instructor.command({ type: 'train', epochs: 100_000, commandId: 'long' });
      await progressed;
      const again = instructor.command({ type: 'train', epochs: 100_000, commandId: 'long' });
      const overHttp = keyed(server.url, id, instructorToken, { type: 'train', epochs: 100_000 }, 'long');
      // Another command meanwhile is refused as before (no id changes that).
      expect(await instructor.command({ type: 'step', commandId: 'meanwhile' })).toMatchObject({ ok: false, status: 409 });
      expect(await first).toEqual({ ok: true, seq: 1 });
      expect(await again).toEqual({ ok: true, seq: 1 });
      const body = await overHttp;
      expect(body.status).toBe(200);
      expect(body.json).toMatchObject({ seq: 1, epoch: 100_000 });
      expect(await recordedTypes(server.url, id)).toEqual(['train']);
      // The refused one was not stored: sent again, it is applied.
      expect(await instructor.command({ type: 'step', commandId: 'meanwhile' })).toEqual({ ok: true, seq: 2 });
    } finally {
      instructor.close();
    }
  });

  it('hostile ids: every Object.prototype name is an ordinary id; separators, controls, 65+ characters and non-strings are a 400 and record nothing', async () => {
    const { id, instructorToken } = await createLecture(server.url);
    const instructor = await LectureClient.connect(server.url, { lectureId: id, token: instructorToken });
    try {
      const bad: unknown[] = [
        ...LINE_SEPARATORS.map((s) => `a${s}b`),
        '',
        ' ',
        'a b',
        'a\u0000',
        '\t',
        'a/b',
        'é',
        '\u202eabc',
        'a'.repeat(65),
        'a'.repeat(100_00),
        1,
        0,
        true,
        null,
        {},
        ['a'],
        { toString: 'x' },
      ];
      for (const commandId of bad) {
        const ack = await instructor.command({ type: 'step', commandId });
        expect(ack, JSON.stringify(commandId).slice(0, 40)).toMatchObject({ ok: false, status: 400 });
        if (!ack.ok) expect(ack.error).toMatch(/^commandId must be (a string of )?1 to 64 letters, digits/);
        const overHttp = await keyed(server.url, id, instructorToken, { type: 'step', commandId });
        expect(overHttp.status, JSON.stringify(commandId).slice(0, 40)).toBe(400);
      }
      // Headers that can travel: each refused with the header's name in the sentence.
      for (const key of ['a'.repeat(65), 'a b', 'a/b', 'a,b', '%00', '"a"']) {
        const res = await keyed(server.url, id, instructorToken, { type: 'step' }, key);
        expect(res.status, key).toBe(400);
        expect(res.json.error).toMatch(/^Idempotency-Key: commandId must be/);
      }
      // An own "__proto__" key beside a good id: an unknown field, as without an id.
      const polluted = await instructor.command(JSON.parse('{"type":"step","commandId":"ok","__proto__":{"polluted":true}}'));
      expect(polluted).toMatchObject({ ok: false, status: 400 });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await http(server.url, 'GET', `/api/lectures/${id}/state`)).json.seq).toBe(0);

      // Every Object.prototype name works as an id, once each, over both transports.
      let seq = 0;
      for (const name of PROTOTYPE_NAMES) {
        const ack = await instructor.command({ type: 'setPacing', mode: seq % 2 ? 'free' : 'follow', commandId: name });
        expect(ack, name).toEqual({ ok: true, seq: ++seq });
        expect(await instructor.command({ type: 'setPacing', mode: 'free', commandId: name }), name).toEqual({ ok: true, seq });
        expect((await keyed(server.url, id, instructorToken, { type: 'setPacing', mode: 'free' }, name)).json.seq, name).toBe(seq);
      }
      expect(await instructor.command({ type: 'step', commandId: 'x'.repeat(64) })).toEqual({ ok: true, seq: ++seq });
      expect((await http(server.url, 'GET', `/api/lectures/${id}/state`)).json.seq).toBe(seq);
    } finally {
      instructor.close();
    }
  });
});

describe.each(STORES)('a kill -9 between the commit and the acknowledgement on %s', (store) => {
  const servers = useChildServers('backprop-once-', { store });

  it('the retry with the same id is answered with the original seq and not applied again: socket.io, then HTTP', async () => {
    let { url, child } = await servers.start({ TEST_HOOK_EXIT_AFTER_COMMIT: 'crash-socket' });
    const { id, instructorToken } = await createLecture(url);
    let instructor = await LectureClient.connect(url, { lectureId: id, token: instructorToken });
    expect(await instructor.command({ type: 'forward', commandId: 'before' })).toEqual({ ok: true, seq: 1 });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    const lost = await instructor.command({ type: 'backward', commandId: 'crash-socket' }).catch((e: Error) => e);
    expect(lost).toBeInstanceOf(Error); // never acknowledged
    expect(await exited).toBe('SIGKILL');
    instructor.close();

    ({ url, child } = await servers.start({ TEST_HOOK_EXIT_AFTER_COMMIT: 'crash-http' }));
    // Committed before the kill: the restarted server holds it.
    const restored = (await http(url, 'GET', `/api/lectures/${id}/state`)).json;
    expect(restored.seq).toBe(2);
    instructor = await LectureClient.connect(url, { lectureId: id, token: instructorToken });
    try {
      expect(await instructor.command({ type: 'backward', commandId: 'crash-socket' })).toEqual({ ok: true, seq: 2 });
      expect(await instructor.command({ type: 'forward', commandId: 'before' })).toEqual({ ok: true, seq: 1 });
    } finally {
      instructor.close();
    }
    expect((await http(url, 'GET', `/api/lectures/${id}/state`)).json).toEqual(restored);
    expect(await recordedTypes(url, id)).toEqual(['forward', 'backward']);

    // The same over HTTP with Idempotency-Key.
    const exitedAgain = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    const lostHttp = await keyed(url, id, instructorToken, { type: 'update' }, 'crash-http').catch((e: Error) => e);
    expect(lostHttp).toBeInstanceOf(Error);
    expect(await exitedAgain).toBe('SIGKILL');

    ({ url, child } = await servers.start());
    const state = (await http(url, 'GET', `/api/lectures/${id}/state`)).json;
    expect(state.seq).toBe(3);
    const retry = await keyed(url, id, instructorToken, { type: 'update' }, 'crash-http');
    expect(retry).toEqual({ status: 200, json: state });
    expect(await keyed(url, id, instructorToken, { type: 'update' }, 'crash-http')).toEqual({ status: 200, json: state });
    expect((await http(url, 'GET', `/api/lectures/${id}/state`)).json).toEqual(state);
    expect(await recordedTypes(url, id)).toEqual(['forward', 'backward', 'update']);
    await servers.kill9(child);
  });
});
