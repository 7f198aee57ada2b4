import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Preset } from '../shared/engine/mlp/init.js';
import type { TrainingResult } from '../shared/lecture/decider.js';
import { LECTURES_PAGE_MAX, type LectureSummary } from '../shared/protocol/http.js';
import type { CommandRecord, KeyframeQuery, LecturePage, LectureRecord, LectureStore, LoadedEvent, NarrationCaps, NarrationChunk, NarrationPut, NarrationTakeStart, StoredEvent, StoredKeyframe, StoredNarrationTake } from './ports.js';
import { SqliteNarration } from './narration-sqlite.js';
import { withDigest } from './csv-datasets.js';
import { columnBytes, commandRecord, encodeLosses, encodeParams, fromColumns, namedDigest, recordingPiece, toColumns } from './event-columns.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS lectures (
  id            TEXT PRIMARY KEY,
  title         TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  listed        INTEGER NOT NULL,
  token_hash    TEXT NOT NULL,
  preset        TEXT NOT NULL,
  seed          INTEGER NOT NULL,
  learning_rate REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  lecture_id TEXT NOT NULL REFERENCES lectures(id),
  seq        INTEGER NOT NULL,
  at         INTEGER NOT NULL,
  command    TEXT NOT NULL,
  frame      TEXT NOT NULL,
  reveal     TEXT,
  trained_params TEXT,
  trained_losses BLOB,
  -- The event format that wrote the row (EVENT_FORMAT_VERSION); rows from before it was kept are 1.
  format     INTEGER NOT NULL DEFAULT 1,
  -- The id the command was sent with (unique per lecture, the index below), or null.
  command_id TEXT,
  PRIMARY KEY (lecture_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS answers (
  lecture_id TEXT NOT NULL REFERENCES lectures(id),
  ask_seq    INTEGER NOT NULL,
  client_id  TEXT NOT NULL,
  value      REAL NOT NULL,
  at         INTEGER NOT NULL,
  PRIMARY KEY (lecture_id, ask_seq, client_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS flags (
  lecture_id TEXT NOT NULL REFERENCES lectures(id),
  client_id  TEXT NOT NULL,
  key        TEXT NOT NULL,
  PRIMARY KEY (lecture_id, client_id, key)
) WITHOUT ROWID;
-- Uploaded CSV texts, once each, by digest; "used" once an event names one (unused ones are refused uploads).
-- With rowids, and the text last: a row of up to 2 MiB does not belong in a clustered index, and
-- reading the other columns should not walk its overflow pages.
CREATE TABLE IF NOT EXISTS datasets (
  digest     TEXT PRIMARY KEY,
  used       INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  text       TEXT NOT NULL
);
-- A lecture's state every so often (keyframe.ts), so that a load folds only the events after it.
-- With rowids and the state last, as datasets: a row of megabytes does not belong in a clustered index.
CREATE TABLE IF NOT EXISTS keyframes (
  lecture_id   TEXT NOT NULL REFERENCES lectures(id),
  seq          INTEGER NOT NULL,
  format       INTEGER NOT NULL,
  event_format INTEGER NOT NULL,
  usage        TEXT NOT NULL,
  state        BLOB NOT NULL,
  PRIMARY KEY (lecture_id, seq)
);
-- The home page's list, a page at a time, newest first (GET /api/lectures?before=).
CREATE INDEX IF NOT EXISTS lectures_listed ON lectures (listed, created_at DESC, id DESC);
`;

interface LectureRow {
  id: string;
  title: string;
  created_at: number;
  listed: number;
  token_hash: string;
  preset: string;
  seed: number;
  learning_rate: number;
}

interface EventRow {
  seq: number;
  at: number;
  command: string;
  frame: string;
  reveal: string | null;
  trained_params: string | null;
  trained_losses: Buffer | null;
  format: number;
  command_id: string | null;
}

/**
 * SQLite in WAL mode. Every append is its own committed transaction before it returns, so
 * an acknowledged command survives a crash of the process (kill -9). synchronous=NORMAL is
 * durable against process crashes; set BACKPROP_SYNC=FULL for power-loss durability too.
 * The port is asynchronous; better-sqlite3 is not: each method runs its statements (its
 * transaction) synchronously and its promise is already settled when it returns, so the embedded
 * store costs what it did before the port became asynchronous.
 */
export class SqliteStore implements LectureStore {
  private readonly db: Database.Database;
  private readonly stmts;
  /** The narration's tables (narration-sqlite.ts). */
  private readonly narrationTables: SqliteNarration;

  constructor(file: string, options: { synchronous?: 'NORMAL' | 'FULL' } = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    this.migrate();
    this.narrationTables = new SqliteNarration(this.db);
    this.stmts = {
      insertLecture: this.db.prepare(
        `INSERT INTO lectures (id, title, created_at, listed, token_hash, preset, seed, learning_rate)
         VALUES (@id, @title, @createdAt, @listed, @tokenHash, @preset, @seed, @learningRate)`,
      ),
      getLecture: this.db.prepare<[string], LectureRow>('SELECT * FROM lectures WHERE id = ?'),
      // Keyset pagination: rows strictly after the cursor (created_at, id) in (created_at DESC, id DESC).
      listLectures: this.db.prepare<{ limit: number; createdAt: number; id: string }, { id: string; title: string; created_at: number; event_count: number }>(
        `SELECT l.id, l.title, l.created_at,
                (SELECT COALESCE(MAX(e.seq), 0) FROM events e WHERE e.lecture_id = l.id) AS event_count
           FROM lectures l
          WHERE l.listed = 1 AND (l.created_at < @createdAt OR (l.created_at = @createdAt AND l.id < @id))
          ORDER BY l.created_at DESC, l.id DESC
          LIMIT @limit`,
      ),
      insertEvent: this.db.prepare(
        'INSERT INTO events (lecture_id, seq, at, command, frame, reveal, trained_params, trained_losses, format, command_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      events: this.db.prepare<[string, number], EventRow>(
        'SELECT seq, at, command, frame, reveal, trained_params, trained_losses, format, command_id FROM events WHERE lecture_id = ? AND seq > ? ORDER BY seq',
      ),
      findCommand: this.db.prepare<[string, string], { seq: number; command: string }>('SELECT seq, command FROM events WHERE lecture_id = ? AND command_id = ?'),
      putKeyframe: this.db.prepare(
        `INSERT INTO keyframes (lecture_id, seq, format, event_format, usage, state) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (lecture_id, seq) DO UPDATE SET format = excluded.format, event_format = excluded.event_format, usage = excluded.usage, state = excluded.state`,
      ),
      // All but the two latest of one format and event format (none while there are fewer).
      pruneKeyframes: this.db.prepare<{ lectureId: string; format: number; eventFormat: number }>(
        `DELETE FROM keyframes WHERE lecture_id = @lectureId AND format = @format AND event_format = @eventFormat AND seq < (
           SELECT seq FROM keyframes WHERE lecture_id = @lectureId AND format = @format AND event_format = @eventFormat ORDER BY seq DESC LIMIT 1 OFFSET 1)`,
      ),
      latestKeyframe: this.db.prepare<
        { lectureId: string; format: number; eventFormat: number; beforeSeq: number },
        { seq: number; format: number; event_format: number; usage: string; state: Buffer }
      >(
        `SELECT seq, format, event_format, usage, state FROM keyframes
          WHERE lecture_id = @lectureId AND format = @format AND event_format = @eventFormat AND seq < @beforeSeq
          ORDER BY seq DESC LIMIT 1`,
      ),
      saveAnswer: this.db.prepare(
        `INSERT INTO answers (lecture_id, ask_seq, client_id, value, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (lecture_id, ask_seq, client_id) DO UPDATE SET value = excluded.value, at = excluded.at`,
      ),
      setFlag: this.db.prepare('INSERT OR IGNORE INTO flags (lecture_id, client_id, key) VALUES (?, ?, ?)'),
      unsetFlag: this.db.prepare('DELETE FROM flags WHERE lecture_id = ? AND client_id = ? AND key = ?'),
      clearFlags: this.db.prepare('DELETE FROM flags WHERE lecture_id = ?'),
      flags: this.db.prepare<[string], { client_id: string; key: string }>('SELECT client_id, key FROM flags WHERE lecture_id = ?'),
      answers: this.db.prepare<[string, number], { client_id: string; value: number }>(
        'SELECT client_id, value FROM answers WHERE lecture_id = ? AND ask_seq = ?',
      ),
      framesPage: this.db.prepare<[string, number, number], { seq: number; at: number; command: string; frame: string }>(
        'SELECT seq, at, command, frame FROM events WHERE lecture_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      putDataset: this.db.prepare('INSERT OR IGNORE INTO datasets (digest, text, created_at) VALUES (?, ?, ?)'),
      datasetText: this.db.prepare<[string], { text: string }>('SELECT text FROM datasets WHERE digest = ?'),
      useDataset: this.db.prepare('UPDATE datasets SET used = 1 WHERE digest = ?'),
      forgetUnusedDataset: this.db.prepare('DELETE FROM datasets WHERE digest = ? AND used = 0'),
    };
    this.moveInlineCsvTexts();
    // Texts stored for an upload the process did not live to record.
    this.db.exec('DELETE FROM datasets WHERE used = 0');
  }

  async createLecture(record: LectureRecord): Promise<void> {
    this.stmts.insertLecture.run({ ...record, listed: record.listed ? 1 : 0 });
  }

  async getLecture(id: string): Promise<LectureRecord | undefined> {
    const row = this.stmts.getLecture.get(id);
    if (!row) return undefined;
    return {
      id: row.id,
      title: row.title,
      createdAt: row.created_at,
      listed: row.listed === 1,
      tokenHash: row.token_hash,
      preset: row.preset as Preset,
      seed: row.seed,
      learningRate: row.learning_rate,
    };
  }

  async listLectures(page: LecturePage = { limit: LECTURES_PAGE_MAX }): Promise<LectureSummary[]> {
    const before = page.before ?? { createdAt: Number.MAX_SAFE_INTEGER, id: '' };
    return this.stmts.listLectures.all({ limit: page.limit, createdAt: before.createdAt, id: before.id }).map((r) => ({ id: r.id, title: r.title, createdAt: r.created_at, eventCount: r.event_count }));
  }

  async appendEvent(lectureId: string, event: StoredEvent, options: { clearFlags?: boolean } = {}): Promise<number> {
    const c = toColumns(event);
    const digest = namedDigest(event);
    const append = () => {
      // In the same transaction: an event never names a table the store does not hold.
      if (digest && this.stmts.useDataset.run(digest).changes === 0) throw new Error(`no CSV with digest ${digest.slice(0, 12)}… is stored`);
      this.stmts.insertEvent.run(lectureId, c.seq, c.at, c.command, c.frame, c.reveal, c.trainedParams, c.trainedLosses, c.format, c.commandId);
      // In the same transaction: a restart never finds the old pass's flags beside the new pass.
      if (options.clearFlags) this.stmts.clearFlags.run(lectureId);
    };
    if (options.clearFlags || digest) this.db.transaction(append)();
    else append();
    return columnBytes(c);
  }

  async setFlag(lectureId: string, clientId: string, key: string, on: boolean): Promise<void> {
    (on ? this.stmts.setFlag : this.stmts.unsetFlag).run(lectureId, clientId, key);
  }

  async flags(lectureId: string): Promise<Map<string, Set<string>>> {
    const flagged = new Map<string, Set<string>>();
    for (const r of this.stmts.flags.all(lectureId)) {
      const who = flagged.get(r.key) ?? new Set<string>();
      who.add(r.client_id);
      flagged.set(r.key, who);
    }
    return flagged;
  }

  async events(lectureId: string, afterSeq = 0): Promise<LoadedEvent[]> {
    return this.stmts.events
      .all(lectureId, afterSeq)
      .map((r) => fromColumns({ format: r.format, seq: r.seq, at: r.at, command: r.command, frame: r.frame, reveal: r.reveal, trainedParams: r.trained_params, trainedLosses: r.trained_losses, commandId: r.command_id }));
  }

  async findCommand(lectureId: string, commandId: string): Promise<CommandRecord | undefined> {
    const row = this.stmts.findCommand.get(lectureId, commandId);
    return row && commandRecord(row);
  }

  /** Attaches the result of a training recorded before results were stored (computed once, on its first load). */
  async attachTrainingResult(lectureId: string, seq: number, result: TrainingResult): Promise<void> {
    this.db.prepare('UPDATE events SET trained_params = ?, trained_losses = ? WHERE lecture_id = ? AND seq = ?').run(encodeParams(result), encodeLosses(result), lectureId, seq);
  }

  async putKeyframe(lectureId: string, k: StoredKeyframe): Promise<void> {
    const state = Buffer.from(k.state.buffer, k.state.byteOffset, k.state.byteLength);
    this.db.transaction(() => {
      this.stmts.putKeyframe.run(lectureId, k.seq, k.format, k.eventFormat, k.usage, state);
      this.stmts.pruneKeyframes.run({ lectureId, format: k.format, eventFormat: k.eventFormat });
    })();
  }

  async latestKeyframe(lectureId: string, q: KeyframeQuery): Promise<StoredKeyframe | undefined> {
    const row = this.stmts.latestKeyframe.get({ lectureId, format: q.format, eventFormat: q.eventFormat, beforeSeq: q.beforeSeq ?? Number.MAX_SAFE_INTEGER });
    return row && { seq: row.seq, format: row.format, eventFormat: row.event_format, usage: row.usage, state: row.state };
  }

  async saveAnswer(lectureId: string, askSeq: number, clientId: string, value: number, at: number): Promise<void> {
    this.stmts.saveAnswer.run(lectureId, askSeq, clientId, value, at);
  }

  async saveAnswers(lectureId: string, askSeq: number, answers: readonly { clientId: string; value: number }[], at: number): Promise<void> {
    this.db.transaction(() => {
      for (const a of answers) this.stmts.saveAnswer.run(lectureId, askSeq, a.clientId, a.value, at);
    })();
  }

  async answers(lectureId: string, askSeq: number): Promise<Map<string, number>> {
    return new Map(this.stmts.answers.all(lectureId, askSeq).map((r) => [r.client_id, r.value]));
  }

  async putDataset(digest: string, text: string): Promise<void> {
    this.stmts.putDataset.run(digest, text, Date.now());
  }

  async forgetUnusedDataset(digest: string): Promise<void> {
    this.stmts.forgetUnusedDataset.run(digest);
  }

  async datasetText(digest: string): Promise<string | undefined> {
    return this.stmts.datasetText.get(digest)?.text;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async createNarrationTake(lectureId: string, start: NarrationTakeStart, maxTakes: number): Promise<number | undefined> {
    return this.narrationTables.createTake(lectureId, start, maxTakes);
  }

  async putNarrationChunk(lectureId: string, take: number, chunk: NarrationChunk, caps: NarrationCaps): Promise<NarrationPut> {
    return this.narrationTables.putChunk(lectureId, take, chunk, caps);
  }

  async narration(lectureId: string): Promise<StoredNarrationTake[]> {
    return this.narrationTables.narration(lectureId);
  }

  async narrationChunkData(lectureId: string, take: number, fromIndex: number, toIndex: number): Promise<{ index: number; data: Uint8Array }[]> {
    return this.narrationTables.chunkData(lectureId, take, fromIndex, toIndex);
  }

  async narrationBytes(lectureId: string): Promise<number> {
    return this.narrationTables.bytes(lectureId);
  }

  async deleteNarration(lectureId: string): Promise<void> {
    this.narrationTables.delete(lectureId);
  }

  /**
   * Databases written before datasets travelled by reference hold each uploaded table's text in
   * its setDataset event (command and frame, twice). Once, at open: the text moves to the datasets
   * table and the event names it by digest, as new events do.
   */
  private moveInlineCsvTexts(): void {
    const rows = this.db
      .prepare<[], { lecture_id: string; seq: number; command: string; frame: string }>(
        `SELECT lecture_id, seq, command, frame FROM events WHERE command LIKE '%"kind":"csv"%' AND command LIKE '%"text":%'`,
      )
      .all();
    if (rows.length === 0) return;
    const update = this.db.prepare('UPDATE events SET command = ?, frame = ? WHERE lecture_id = ? AND seq = ?');
    const put = (digest: string, text: string) => void this.stmts.putDataset.run(digest, text, Date.now());
    const withDigests = (holder: { dataset?: unknown }) => (holder.dataset === undefined ? holder : { ...holder, dataset: withDigest(put, holder.dataset) });
    this.db.transaction(() => {
      for (const r of rows) {
        const command = withDigests(JSON.parse(r.command));
        const frame = JSON.parse(r.frame) as { command?: { dataset?: unknown }; dataset?: unknown };
        const newFrame = withDigests({ ...frame, ...(frame.command ? { command: withDigests(frame.command) } : {}) });
        update.run(JSON.stringify(command), JSON.stringify(newFrame), r.lecture_id, r.seq);
        const digest = (command as { dataset?: { digest?: unknown } }).dataset?.digest;
        if (typeof digest === 'string') this.stmts.useDataset.run(digest);
      }
    })();
  }

  /** Brings a database made by an older version up to this schema. */
  private migrate(): void {
    const columns = this.db.prepare<[], { name: string }>('PRAGMA table_info(events)').all();
    if (!columns.some((c) => c.name === 'reveal')) this.db.exec('ALTER TABLE events ADD COLUMN reveal TEXT');
    if (!columns.some((c) => c.name === 'trained_params')) this.db.exec('ALTER TABLE events ADD COLUMN trained_params TEXT; ALTER TABLE events ADD COLUMN trained_losses BLOB');
    // Every event stored before the format was kept is in format 1 (the default fills them in).
    if (!columns.some((c) => c.name === 'format')) this.db.exec('ALTER TABLE events ADD COLUMN format INTEGER NOT NULL DEFAULT 1');
    if (!columns.some((c) => c.name === 'command_id')) this.db.exec('ALTER TABLE events ADD COLUMN command_id TEXT');
    // A command id names one event of a lecture: a second append with it fails (commands without one are not indexed).
    this.db.exec('CREATE UNIQUE INDEX IF NOT EXISTS events_command_id ON events (lecture_id, command_id) WHERE command_id IS NOT NULL');
  }

  async *eventsJson(lectureId: string, upToSeq: number): AsyncIterable<string> {
    // Page by page, each query run to its end: the caller may yield to the event loop between
    // pieces, and a connection with an open cursor cannot run anyone else's statement.
    yield '[';
    let after = 0;
    while (after < upToSeq) {
      const page = this.stmts.framesPage.all(lectureId, after, 256).filter((r) => r.seq <= upToSeq);
      if (page.length === 0) break;
      yield page.map(recordingPiece).join('');
      after = page[page.length - 1].seq;
    }
    yield ']';
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
