/**
 * The store on real PostgreSQL (a throwaway server the test starts, test/support/postgres.ts):
 * the LectureStore contract, checked on SQLite with the same assertions; the migrations from an
 * empty database and the refusal of a newer schema; and a real `kill -9` of a server process on a
 * DATABASE_URL, after which a new process brings every lecture back exactly, its recording
 * complete, its answers and flags kept.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { LectureStore, StoredEvent } from '../../server/ports.js';
import { PostgresStore } from '../../server/postgres-store.js';
import { migrate, MIGRATIONS, NewerSchemaError, SCHEMA_VERSION } from '../../server/postgres-migrations.js';
import { EVENT_FORMAT_VERSION } from '../../shared/lecture/event-format.js';
import { emptyStore, freshDatabaseUrl, freshStore, STORES } from '../support/stores.js';
import { useChildServers } from '../support/child-server.js';
import { createLecture, http, LectureClient } from '../support/clients.js';
import { aggregate } from '../../shared/protocol/answer-stats.js';
import type { FlagCounts, PredictionReveal } from '../../shared/protocol/collab.js';

const record = (id: string, over: Partial<Parameters<LectureStore['createLecture']>[0]> = {}) =>
  ({ id, title: `Lecture ${id}`, createdAt: Date.UTC(2026, 0, 1), listed: true, tokenHash: 'sha256-of-the-token', preset: 'notebook', seed: 4_000_000_000, learningRate: 0.1 + 0.2, ...over }) as const;

const event = (seq: number, over: Partial<StoredEvent> = {}): StoredEvent => ({
  format: EVENT_FORMAT_VERSION,
  seq,
  at: Date.UTC(2026, 0, 1) + seq,
  command: { type: 'step' } as never,
  frame: { seq, tensors: { W: [0.1 + 0.2, -1e-300, 5e-324] } } as never,
  ...over,
});


describe.each(STORES)('the store contract on %s', (kind) => {
  it('keeps a lecture exactly: its floats, its large integers, listed or not, and refuses a second with its id', async () => {
    const { store, reopen } = await emptyStore(kind);
    await store.createLecture(record('AAAAAA'));
    await store.createLecture(record('BBBBBB', { listed: false, learningRate: 1 / 3 }));
    await expect(store.createLecture(record('AAAAAA'))).rejects.toThrow();
    const again = await reopen();
    expect(await again.getLecture('AAAAAA')).toEqual(record('AAAAAA'));
    expect(await again.getLecture('BBBBBB')).toEqual(record('BBBBBB', { listed: false, learningRate: 1 / 3 }));
    expect(await again.getLecture('CCCCCC')).toBeUndefined();
  });

  it('lists the listed lectures newest first, a page at a time, with their event counts', async () => {
    const { store } = await emptyStore(kind);
    for (const [id, createdAt, listed] of [['AAAAAA', 3, true], ['BBBBBB', 3, true], ['CCCCCC', 2, true], ['DDDDDD', 5, false], ['EEEEEE', 1, true]] as const) {
      await store.createLecture(record(id, { createdAt, listed }));
    }
    await store.appendEvent('BBBBBB', event(1));
    await store.appendEvent('BBBBBB', event(2));
    const first = await store.listLectures({ limit: 2 });
    expect(first).toEqual([
      { id: 'BBBBBB', title: 'Lecture BBBBBB', createdAt: 3, eventCount: 2 },
      { id: 'AAAAAA', title: 'Lecture AAAAAA', createdAt: 3, eventCount: 0 },
    ]);
    const rest = await store.listLectures({ limit: 10, before: { createdAt: 3, id: 'AAAAAA' } });
    expect(rest.map((l) => l.id)).toEqual(['CCCCCC', 'EEEEEE']);
    expect((await store.listLectures()).map((l) => l.id)).toEqual(['BBBBBB', 'AAAAAA', 'CCCCCC', 'EEEEEE']);
  });

  it('gives the events back in order, bit for bit, with reveals and training results, and counts their bytes the same', async () => {
    const { store, reopen } = await emptyStore(kind);
    await store.createLecture(record('AAAAAA'));
    const reveal = { count: 2, mean: 0.1 + 0.2, median: 1e-17, histogram: { min: 0, max: 1, counts: [1, 1] } } as never;
    // Parameters come back as plain arrays (JSON text), losses as float64.
    const trained = { params: { W: [0.1 + 0.2, -1e-300, 1e308] } as never, losses: Float64Array.of(0.7, 0.1 + 0.2, 5e-324), testLosses: Float64Array.of(0.9, 0.8, 1 / 3) };
    const events = [event(1), event(2, { reveal }), event(3, { command: { type: 'train', epochs: 3, epochsRun: 3 } as never, trained })];
    const bytes = [];
    for (const e of events) bytes.push(await store.appendEvent('AAAAAA', e));
    await expect(store.appendEvent('AAAAAA', event(3))).rejects.toThrow();

    const loaded = await (await reopen()).events('AAAAAA');
    expect(loaded.map(({ bytes: _b, ...e }) => e)).toEqual(events);
    expect(loaded.map((e) => e.bytes)).toEqual(bytes);
    expect(Array.from(loaded[2].trained!.losses)).toEqual([0.7, 0.1 + 0.2, 5e-324]);
    expect(Array.from(loaded[2].trained!.testLosses)).toEqual([0.9, 0.8, 1 / 3]);
    expect((await store.events('AAAAAA', 2)).map((e) => e.seq)).toEqual([3]);
  });

  it('streams the recording as one JSON array without the training results', async () => {
    const { store } = await emptyStore(kind);
    await store.createLecture(record('AAAAAA'));
    for (let seq = 1; seq <= 300; seq++) await store.appendEvent('AAAAAA', event(seq));
    let text = '';
    for await (const piece of store.eventsJson('AAAAAA', 300)) text += piece;
    const recording = JSON.parse(text) as { seq: number; frame: unknown }[];
    expect(recording.map((e) => e.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(recording[299]).toEqual({ seq: 300, at: event(300).at, command: { type: 'step' }, frame: event(300).frame });
  });

  it('streams only the events up to the count a download names (commands go on meanwhile)', async () => {
    const { store } = await emptyStore(kind);
    await store.createLecture(record('AAAAAA'));
    for (let seq = 1; seq <= 300; seq++) await store.appendEvent('AAAAAA', event(seq));
    for (const upTo of [0, 1, 256, 257, 299]) {
      let text = '';
      for await (const piece of store.eventsJson('AAAAAA', upTo)) text += piece;
      expect((JSON.parse(text) as { seq: number }[]).map((e) => e.seq)).toEqual(Array.from({ length: upTo }, (_, i) => i + 1));
    }
  });

  it('attaches a training result to an event stored without one', async () => {
    const { store } = await emptyStore(kind);
    await store.createLecture(record('AAAAAA'));
    await store.appendEvent('AAAAAA', event(1, { command: { type: 'train', epochs: 2, epochsRun: 2 } as never }));
    const result = { params: { b: [0.5] } as never, losses: Float64Array.of(1, 0.1 + 0.2), testLosses: new Float64Array(0) };
    await store.attachTrainingResult('AAAAAA', 1, result);
    const [loaded] = await store.events('AAAAAA');
    expect(Array.from(loaded.trained!.losses)).toEqual([1, 0.1 + 0.2]);
    expect(loaded.trained!.params).toEqual({ b: [0.5] });
  });

  it('keeps the latest answer of each student per question, exactly', async () => {
    const { store, reopen } = await emptyStore(kind);
    await store.createLecture(record('AAAAAA'));
    await store.saveAnswer('AAAAAA', 4, 'alice', 0.5, 1);
    await store.saveAnswer('AAAAAA', 4, 'alice', 0.1 + 0.2, 2);
    await store.saveAnswer('AAAAAA', 4, 'bob', -1e-300, 3);
    await store.saveAnswer('AAAAAA', 7, 'bob', 2, 4);
    const again = await reopen();
    expect(await again.answers('AAAAAA', 4)).toEqual(new Map([['alice', 0.1 + 0.2], ['bob', -1e-300]]));
    expect(await again.answers('AAAAAA', 7)).toEqual(new Map([['bob', 2]]));
    expect(await again.answers('AAAAAA', 9)).toEqual(new Map());
  });

  it('stores a batch of answers in one write: the latest of each student counts, beside what was stored before', async () => {
    const { store, reopen } = await emptyStore(kind);
    await store.createLecture(record('AAAAAA'));
    await store.saveAnswer('AAAAAA', 4, 'carol', 9, 1);
    await store.saveAnswers('AAAAAA', 4, [{ clientId: 'alice', value: 0.5 }, { clientId: 'bob', value: -1e-300 }, { clientId: 'alice', value: 0.1 + 0.2 }, { clientId: 'carol', value: 3 }], 2);
    await store.saveAnswers('AAAAAA', 4, [], 3);
    const batch = Array.from({ length: 1500 }, (_, i) => ({ clientId: `s${i}`, value: i / 7 }));
    await store.saveAnswers('AAAAAA', 7, batch, 4);
    const again = await reopen();
    expect(await again.answers('AAAAAA', 4)).toEqual(new Map([['alice', 0.1 + 0.2], ['bob', -1e-300], ['carol', 3]]));
    expect(await again.answers('AAAAAA', 7)).toEqual(new Map(batch.map((a) => [a.clientId, a.value])));
  });

  it('sets and clears flags, and an event that starts a new pass clears them in its transaction', async () => {
    const { store, reopen } = await emptyStore(kind);
    await store.createLecture(record('AAAAAA'));
    await store.setFlag('AAAAAA', 'alice', 'B_act[2]', true);
    await store.setFlag('AAAAAA', 'alice', 'B_act[2]', true);
    await store.setFlag('AAAAAA', 'bob', 'B_act[2]', true);
    await store.setFlag('AAAAAA', 'bob', 'W1', true);
    await store.setFlag('AAAAAA', 'bob', 'W1', false);
    expect(await (await reopen()).flags('AAAAAA')).toEqual(new Map([['B_act[2]', new Set(['alice', 'bob'])]]));
    await store.appendEvent('AAAAAA', event(1));
    expect((await store.flags('AAAAAA')).size).toBe(1);
    await store.appendEvent('AAAAAA', event(2), { clearFlags: true });
    expect(await (await reopen()).flags('AAAAAA')).toEqual(new Map());
  });

  it('stores an uploaded table once, refuses an event naming one it lacks, and forgets only unused ones', async () => {
    const { store, reopen } = await emptyStore(kind);
    await store.createLecture(record('AAAAAA'));
    const used = 'a'.repeat(64);
    const refused = 'b'.repeat(64);
    await store.putDataset(used, 'x,label\n1,0\n');
    await store.putDataset(used, 'something else');
    await store.putDataset(refused, 'y,label\n2,1\n');
    const naming = (digest: string, seq: number) => event(seq, { command: { type: 'setDataset', dataset: { kind: 'csv', digest, name: 't.csv', trainFraction: 1 } } as never });
    await expect(store.appendEvent('AAAAAA', naming('c'.repeat(64), 1))).rejects.toThrow(/no CSV with digest c{12}/);
    expect(await store.events('AAAAAA')).toEqual([]);
    await store.appendEvent('AAAAAA', naming(used, 1));
    await store.forgetUnusedDataset(used);
    await store.forgetUnusedDataset(refused);
    const again = await reopen();
    expect(await again.datasetText(used)).toBe('x,label\n1,0\n');
    expect(await again.datasetText(refused)).toBeUndefined();
  });
});

describe.each(STORES)('closing the store on %s', (kind) => {
  it('may be asked twice (a test or a shutdown that closes again waits for the same)', async () => {
    const fresh = await freshStore(kind);
    const store = await fresh.open();
    await Promise.all([store.close(), store.close()]);
    await store.close();
    fresh.dispose();
  });
});

describe('PostgreSQL migrations', () => {
  const tables = async (url: string) => {
    const db = new pg.Client(url);
    await db.connect();
    try {
      const names = (await db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")).rows.map((r) => r.table_name);
      const version = names.includes('schema_version') ? (await db.query<{ version: number }>('SELECT version FROM schema_version')).rows.map((r) => r.version) : [];
      return { names, version };
    } finally {
      await db.end();
    }
  };

  it('build the schema from an empty database, once, and record its version', async () => {
    const url = await freshDatabaseUrl();
    expect(await tables(url)).toEqual({ names: [], version: [] });
    // Two servers starting at once: the lock lets one migrate and the other find it done.
    const [a, b] = await Promise.all([PostgresStore.open(url), PostgresStore.open(url)]);
    await Promise.all([a.close(), b.close()]);
    expect(await tables(url)).toEqual({ names: ['answers', 'datasets', 'events', 'flags', 'keyframes', 'lecture_owners', 'lectures', 'narration_chunks', 'narration_takes', 'schema_version'], version: [SCHEMA_VERSION] });
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    const again = await PostgresStore.open(url);
    await again.close();
    expect((await tables(url)).version).toEqual([SCHEMA_VERSION]);
  });

  it('bring a database an older server left up to date, keeping what it holds', async () => {
    const url = await freshDatabaseUrl();
    const pool = new pg.Pool({ connectionString: url });
    const client = await pool.connect();
    try {
      // As the first release left it: schema version 1, a lecture and an event written in its columns.
      expect(await migrate(client, MIGRATIONS.slice(0, 1))).toEqual([1]);
      const r = record('AAAAAA');
      await client.query('INSERT INTO lectures VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [r.id, r.title, r.createdAt, r.listed, r.tokenHash, r.preset, r.seed, r.learningRate]);
      const e = event(1);
      await client.query('INSERT INTO events (lecture_id, seq, at, format, command, frame) VALUES ($1, $2, $3, $4, $5, $6)', [r.id, e.seq, e.at, e.format, JSON.stringify(e.command), JSON.stringify(e.frame)]);
    } finally {
      client.release();
      await pool.end();
    }
    expect((await tables(url)).version).toEqual([1]);

    const store = await PostgresStore.open(url);
    expect((await tables(url)).version).toEqual([SCHEMA_VERSION]);
    expect(await store.getLecture('AAAAAA')).toEqual(record('AAAAAA'));
    expect((await store.events('AAAAAA')).map(({ bytes: _b, ...e }) => e)).toEqual([event(1)]);
    await store.appendEvent('AAAAAA', event(2));
    expect((await store.events('AAAAAA')).map((e) => e.seq)).toEqual([1, 2]);
    await store.close();
  });

  it('refuse a database a newer server migrated, with a sentence, and change nothing', async () => {
    const url = await freshDatabaseUrl();
    const store = await PostgresStore.open(url);
    await store.createLecture(record('AAAAAA'));
    await store.close();
    const db = new pg.Client(url);
    await db.connect();
    await db.query('UPDATE schema_version SET version = $1', [SCHEMA_VERSION + 1]);
    await db.end();

    const refusal = await PostgresStore.open(url).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(NewerSchemaError);
    expect((refusal as Error).message).toBe(
      `the database's schema is at version ${SCHEMA_VERSION + 1}, newer than this server knows (${SCHEMA_VERSION}): it was migrated by a newer Backprop Live. Run that version (or newer) against it, or point DATABASE_URL at another database.`,
    );
    expect(await tables(url)).toEqual({ names: ['answers', 'datasets', 'events', 'flags', 'keyframes', 'lecture_owners', 'lectures', 'narration_chunks', 'narration_takes', 'schema_version'], version: [SCHEMA_VERSION + 1] });
  });
});

describe('kill -9 of a server on PostgreSQL, and a restart on the same DATABASE_URL', () => {
  const servers = useChildServers('backprop-pg-crash-', { store: 'postgres' });

  it('is refused, with the sentence, when a newer server has migrated the database since', async () => {
    const { child } = await servers.start();
    await servers.kill9(child);
    const db = new pg.Client(servers.databaseUrl);
    await db.connect();
    await db.query('UPDATE schema_version SET version = version + 1');
    const refused = await servers.start().catch((e: Error) => e);
    await db.query('UPDATE schema_version SET version = version - 1');
    await db.end();
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/server exited with 1: .*cannot open its PostgreSQL database \(DATABASE_URL\): the database's schema is at version \d+, newer than this server knows/s);
  });

  it('brings back every lecture exactly, its recording complete, its answers and flags kept', async () => {
    let { url, child } = await servers.start();
    const a = await createLecture(url, { title: 'A' });
    const b = await createLecture(url, { title: 'B', preset: 'random', seed: 5, listed: true });
    expect(servers.databaseUrl).toMatch(/^postgres:\/\/.*127\.0\.0\.1/);
    const run = async (lecture: typeof a, commands: object[]) => {
      for (const c of commands) expect((await http(url, 'POST', `/api/lectures/${lecture.id}/commands`, c, lecture.instructorToken)).status).toBe(200);
    };
    await run(a, [{ type: 'forward' }, { type: 'backward' }, { type: 'update' }, { type: 'train', epochs: 50 }, { type: 'step' }, { type: 'back' }, { type: 'step' }]);
    await run(b, [{ type: 'setLearningRate', value: 0.3 }, { type: 'train', epochs: 20 }, { type: 'step' }]);

    // The class, on C: a question two students answered (not revealed yet), and their flags.
    const c = await createLecture(url, { title: 'C' });
    const instructor = await LectureClient.connect(url, { lectureId: c.id, token: c.instructorToken });
    expect(await instructor.command({ type: 'ask', tensor: 'L', index: [0] })).toMatchObject({ ok: true });
    const students = [await LectureClient.connect(url, { lectureId: c.id }), await LectureClient.connect(url, { lectureId: c.id })];
    expect(await students[0].socket.emitWithAck('prediction:submit', { value: 0.25 })).toEqual({ ok: true });
    expect(await students[1].socket.emitWithAck('prediction:submit', { value: 0.1 + 0.2 })).toEqual({ ok: true });
    expect(await students[0].socket.emitWithAck('flag', { target: { type: 'element', tensor: 'W', index: [0, 3] }, on: true })).toEqual({ ok: true });
    expect(await students[1].socket.emitWithAck('flag', { target: { type: 'element', tensor: 'W', index: [0, 3] }, on: true })).toEqual({ ok: true });
    expect(await students[1].socket.emitWithAck('flag', { target: { type: 'stage', stage: 'B' }, on: true })).toEqual({ ok: true });
    for (const client of [instructor, ...students]) client.close();

    const before = {
      a: (await http(url, 'GET', `/api/lectures/${a.id}/state`)).json,
      b: (await http(url, 'GET', `/api/lectures/${b.id}/state`)).json,
      recA: (await http(url, 'GET', `/api/lectures/${a.id}/recording`)).json,
      recB: (await http(url, 'GET', `/api/lectures/${b.id}/recording`)).json,
      list: (await http(url, 'GET', '/api/lectures')).json,
    };
    await servers.kill9(child);

    ({ url, child } = await servers.start());
    expect((await http(url, 'GET', `/api/lectures/${a.id}/state`)).json).toEqual(before.a);
    expect((await http(url, 'GET', `/api/lectures/${b.id}/state`)).json).toEqual(before.b);
    expect((await http(url, 'GET', `/api/lectures/${a.id}/recording`)).json).toEqual(before.recA);
    expect((await http(url, 'GET', `/api/lectures/${b.id}/recording`)).json).toEqual(before.recB);
    expect((await http(url, 'GET', '/api/lectures')).json).toEqual(before.list);
    // What the class gave is kept: the flags the instructor finds on joining, the answers the reveal counts.
    const again = new LectureClient(url, { lectureId: c.id, token: c.instructorToken });
    expect(await again.next<FlagCounts>('flags')).toEqual({ counts: { 'W[0,3]': 2, 'stage:B': 1 } });
    await again.until((s) => s !== null);
    const reveal = again.next<PredictionReveal>('prediction:reveal');
    expect(await again.command({ type: 'forward' })).toMatchObject({ ok: true });
    expect(await reveal).toMatchObject(aggregate([0.25, 0.1 + 0.2]));
    again.close();

    // It goes on where it was.
    const goesOn = await http(url, 'POST', `/api/lectures/${a.id}/commands`, { type: 'back' }, a.instructorToken);
    expect(goesOn.json.seq).toBe(before.a.seq + 1);
    await servers.kill9(child);
  });
});
