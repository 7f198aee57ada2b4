/**
 * The store remembers what wrote each event (EVENT_FORMAT_VERSION, a column of the events table):
 * a database made before the column existed reads its events as format 1, and a lecture whose log
 * holds an event of a newer format than this server knows is not loaded, with an error that says
 * why, while the server and its other lectures go on.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENT_FORMAT_VERSION } from '../../shared/lecture/event-format.js';
import { SqliteStore } from '../../server/sqlite-store.js';
import { startServer, type TestServer } from '../support/server.js';
import { createLecture, http } from '../support/clients.js';
import { captureLogs, restoreLogs } from '../support/logs.js';

let server: TestServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  restoreLogs();
  await server?.close();
  server = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const record = { id: 'ABCDEF', title: 't', createdAt: 1, listed: false, tokenHash: 'x', preset: 'notebook', seed: 0, learningRate: 1 } as const;
const frame = { seq: 1 } as never;

describe('the event format', () => {
  it('is stored with each event, and events stored before it was kept read as format 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backprop-format-'));
    dirs.push(dir);
    const file = join(dir, 'old.sqlite');
    const first = new SqliteStore(file);
    await first.createLecture(record);
    await first.appendEvent(record.id, { format: EVENT_FORMAT_VERSION, seq: 1, at: 2, command: { type: 'step' }, frame });
    expect((await first.events(record.id)).map((e) => e.format)).toEqual([EVENT_FORMAT_VERSION]);
    await first.close();
    // As a database written before the column existed.
    const db = new Database(file);
    db.exec('ALTER TABLE events DROP COLUMN format');
    db.close();

    const reopened = new SqliteStore(file);
    await reopened.appendEvent(record.id, { format: EVENT_FORMAT_VERSION, seq: 2, at: 3, command: { type: 'step' }, frame });
    expect((await reopened.events(record.id)).map((e) => [e.seq, e.format])).toEqual([
      [1, 1],
      [2, EVENT_FORMAT_VERSION],
    ]);
    await reopened.close();
  });

  it('of a newer server keeps its lecture from loading, with the reason, while the others go on', async () => {
    const first = await startServer();
    const newer = await createLecture(first.url);
    const fine = await createLecture(first.url);
    for (const lecture of [newer, fine]) {
      expect((await http(first.url, 'POST', `/api/lectures/${lecture.id}/commands`, { type: 'step' }, lecture.instructorToken)).status).toBe(200);
    }
    await first.app.close();
    await first.store.close();
    const db = new Database(join(first.dataDir, 'backprop-live.sqlite'));
    db.prepare('UPDATE events SET format = ? WHERE lecture_id = ?').run(EVENT_FORMAT_VERSION + 1, newer.id);
    db.close();

    const logged = captureLogs();
    server = await startServer({ dataDir: first.dataDir });
    expect((await http(server.url, 'GET', `/api/lectures/${newer.id}/state`)).status).toBe(500);
    const reason = `lecture ${newer.id} cannot be loaded: its event 1 was written by a newer server (event format ${EVENT_FORMAT_VERSION + 1})`;
    expect(logged.lines.some((l) => l.level === 'error' && l.lecture === newer.id && l.err?.message.includes(reason) && l.err.stack.includes(reason))).toBe(true);
    // Nothing was changed: the row is as it was.
    expect((await server.store.events(newer.id)).map((e) => e.format)).toEqual([EVENT_FORMAT_VERSION + 1]);
    expect((await http(server.url, 'GET', `/api/lectures/${fine.id}/state`)).status).toBe(200);
  });
});
