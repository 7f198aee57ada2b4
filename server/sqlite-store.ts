import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LectureSummary, Preset } from '../shared/index.js';
import type { LectureRecord, LectureStore, StoredEvent } from './ports.js';

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
}

/**
 * SQLite in WAL mode. Every append is its own committed transaction before it returns, so
 * an acknowledged command survives a crash of the process (kill -9). synchronous=NORMAL is
 * durable against process crashes; set BACKPROP_SYNC=FULL for power-loss durability too.
 */
export class SqliteStore implements LectureStore {
  private readonly db: Database.Database;
  private readonly stmts;

  constructor(file: string, options: { synchronous?: 'NORMAL' | 'FULL' } = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    this.migrate();
    this.stmts = {
      insertLecture: this.db.prepare(
        `INSERT INTO lectures (id, title, created_at, listed, token_hash, preset, seed, learning_rate)
         VALUES (@id, @title, @createdAt, @listed, @tokenHash, @preset, @seed, @learningRate)`,
      ),
      getLecture: this.db.prepare<[string], LectureRow>('SELECT * FROM lectures WHERE id = ?'),
      listLectures: this.db.prepare<[], { id: string; title: string; created_at: number; event_count: number }>(
        `SELECT l.id, l.title, l.created_at,
                (SELECT COALESCE(MAX(e.seq), 0) FROM events e WHERE e.lecture_id = l.id) AS event_count
           FROM lectures l WHERE l.listed = 1 ORDER BY l.created_at DESC, l.id`,
      ),
      insertEvent: this.db.prepare('INSERT INTO events (lecture_id, seq, at, command, frame, reveal) VALUES (?, ?, ?, ?, ?, ?)'),
      events: this.db.prepare<[string, number], EventRow>(
        'SELECT seq, at, command, frame, reveal FROM events WHERE lecture_id = ? AND seq > ? ORDER BY seq',
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
      frames: this.db.prepare<[string], { seq: number; at: number; command: string; frame: string }>(
        'SELECT seq, at, command, frame FROM events WHERE lecture_id = ? ORDER BY seq',
      ),
    };
  }

  createLecture(record: LectureRecord): void {
    this.stmts.insertLecture.run({ ...record, listed: record.listed ? 1 : 0 });
  }

  getLecture(id: string): LectureRecord | undefined {
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

  listLectures(): LectureSummary[] {
    return this.stmts.listLectures.all().map((r) => ({ id: r.id, title: r.title, createdAt: r.created_at, eventCount: r.event_count }));
  }

  appendEvent(lectureId: string, event: StoredEvent, options: { clearFlags?: boolean } = {}): void {
    const reveal = event.reveal ? JSON.stringify(event.reveal) : null;
    const append = () => {
      this.stmts.insertEvent.run(lectureId, event.seq, event.at, JSON.stringify(event.command), JSON.stringify(event.frame), reveal);
      // In the same transaction: a restart never finds the old pass's flags beside the new pass.
      if (options.clearFlags) this.stmts.clearFlags.run(lectureId);
    };
    if (options.clearFlags) this.db.transaction(append)();
    else append();
  }

  setFlag(lectureId: string, clientId: string, key: string, on: boolean): void {
    (on ? this.stmts.setFlag : this.stmts.unsetFlag).run(lectureId, clientId, key);
  }

  flags(lectureId: string): Map<string, Set<string>> {
    const flagged = new Map<string, Set<string>>();
    for (const r of this.stmts.flags.all(lectureId)) {
      const who = flagged.get(r.key) ?? new Set<string>();
      who.add(r.client_id);
      flagged.set(r.key, who);
    }
    return flagged;
  }

  events(lectureId: string, afterSeq = 0): StoredEvent[] {
    return this.stmts.events.all(lectureId, afterSeq).map((r) => ({
      seq: r.seq,
      at: r.at,
      command: JSON.parse(r.command),
      frame: JSON.parse(r.frame),
      ...(r.reveal ? { reveal: JSON.parse(r.reveal) } : {}),
    }));
  }

  saveAnswer(lectureId: string, askSeq: number, clientId: string, value: number, at: number): void {
    this.stmts.saveAnswer.run(lectureId, askSeq, clientId, value, at);
  }

  answers(lectureId: string, askSeq: number): Map<string, number> {
    return new Map(this.stmts.answers.all(lectureId, askSeq).map((r) => [r.client_id, r.value]));
  }

  /** Brings a database made by an older version up to this schema. */
  private migrate(): void {
    const columns = this.db.prepare<[], { name: string }>('PRAGMA table_info(events)').all();
    if (!columns.some((c) => c.name === 'reveal')) this.db.exec('ALTER TABLE events ADD COLUMN reveal TEXT');
  }

  eventsJson(lectureId: string): string {
    const parts: string[] = [];
    for (const r of this.stmts.frames.iterate(lectureId)) {
      parts.push(`{"seq":${r.seq},"at":${r.at},"command":${r.command},"frame":${r.frame}}`);
    }
    return `[${parts.join(',')}]`;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
