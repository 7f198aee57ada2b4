import pg from 'pg';
import type { Preset } from '../shared/engine/mlp/init.js';
import type { TrainingResult } from '../shared/lecture/decider.js';
import { LECTURES_PAGE_MAX, type LectureSummary } from '../shared/protocol/http.js';
import type { CommandRecord, KeyframeQuery, LecturePage, LectureRecord, LectureStore, LoadedEvent, NarrationCaps, NarrationChunk, NarrationPut, NarrationTakeStart, StoredEvent, StoredKeyframe, StoredNarrationTake } from './ports.js';
import * as narrationTables from './narration-postgres.js';
import { columnBytes, commandRecord, encodeLosses, encodeParams, fromColumns, namedDigest, recordingPiece, toColumns } from './event-columns.js';
import { migrate } from './postgres-migrations.js';
import { log } from './log.js';
import { rejectAfter } from './time-bounds.js';

interface LectureRow {
  id: string;
  title: string;
  created_at: number;
  listed: boolean;
  token_hash: string;
  preset: string;
  seed: number;
  learning_rate: number;
}

interface EventRow {
  seq: number;
  at: number;
  format: number;
  command: string;
  frame: string;
  reveal: string | null;
  trained_params: string | null;
  trained_losses: Buffer | null;
  command_id: string | null;
}

const INT8_OID = 20;

/** bigint (int8) as a JavaScript number, as SQLite gives it (pg gives a string): times, seeds and counts fit 2⁵³. */
function int8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`a stored integer (${text}) is beyond what a JavaScript number holds exactly`);
  return n;
}

/** pg's own parsers, but for int8. float8 comes back as the shortest text that reads back exactly (PostgreSQL ≥ 12). */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID && format !== 'binary' ? int8 : pg.types.getTypeParser(oid, format))) as pg.CustomTypesConfig['getTypeParser'],
};

/** How long the readiness query may take before the database counts as unreachable. */
const PING_TIMEOUT_MS = 2_000;

/** How long a stored upload may stay unused before a start-up takes it for one whose process died mid-command. */
const ORPHAN_UPLOAD_MS = 10 * 60_000;

/** What runs a statement: the pool, one of its connections, or a node's lease connection (server/cluster/lease.ts). */
export interface PgQueryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * Where a store's writes go: by default the pool; in cluster mode a lecture's owner writes through
 * its lease connection, the one that holds the lecture's advisory lock, so a node that has lost
 * the lock (its connection died or was timed out) cannot commit anything for the lecture.
 */
export interface PgWriter extends PgQueryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction(work: (db: PgQueryable) => Promise<void>): Promise<void>;
}

export interface PostgresOptions {
  /** Connections the pool keeps at most (default 10). */
  readonly maxConnections?: number;
}

/**
 * PostgreSQL behind the LectureStore port, with the tables and meaning of SqliteStore (see
 * postgres-migrations.ts). Every write is committed (one statement, or one transaction for an
 * event that also marks its table used or clears the pass's flags) before its promise resolves, so
 * an acknowledged command survives a crash of this process. Open it with PostgresStore.open,
 * which migrates the schema first.
 */
export class PostgresStore implements LectureStore {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    /** Where writes go (the pool unless `writingThrough` gave another); reads always use the pool. */
    private readonly writer: PgWriter = poolWriter(pool),
    /** A store made by `writingThrough` shares its parent's pool and leaves closing it to the parent. */
    private readonly ownsPool = true,
  ) {}

  /**
   * The same database with every write sent through `writer` (a lease connection) and reads through
   * the pool; closing it closes nothing.
   */
  writingThrough(writer: PgWriter): PostgresStore {
    return new PostgresStore(this.pool, writer, false);
  }

  /** A statement on the pool, for cluster bookkeeping (who owns a lecture) that is not the store's. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values);
  }

  /** Connects, brings the schema up to date (refusing a newer one) and clears uploads no process lived to record. */
  static async open(connectionString: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 10, types });
    // An idle connection that breaks (PostgreSQL restarted) is dropped by the pool; the next query opens another.
    pool.on('error', (err) => log.error({ err }, 'PostgreSQL: an idle connection failed'));
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
      // Old ones only: another server on this database may be storing an upload right now.
      await pool.query('DELETE FROM datasets WHERE NOT used AND created_at < $1', [Date.now() - ORPHAN_UPLOAD_MS]);
    } catch (e) {
      await pool.end();
      throw e;
    }
    return new PostgresStore(pool);
  }

  async createLecture(r: LectureRecord): Promise<void> {
    await this.writer.query(
      `INSERT INTO lectures (id, title, created_at, listed, token_hash, preset, seed, learning_rate)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [r.id, r.title, r.createdAt, r.listed, r.tokenHash, r.preset, r.seed, r.learningRate],
    );
  }

  async getLecture(id: string): Promise<LectureRecord | undefined> {
    const row = (await this.pool.query<LectureRow>('SELECT * FROM lectures WHERE id = $1', [id])).rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      title: row.title,
      createdAt: row.created_at,
      listed: row.listed,
      tokenHash: row.token_hash,
      preset: row.preset as Preset,
      seed: row.seed,
      learningRate: row.learning_rate,
    };
  }

  async listLectures(page: LecturePage = { limit: LECTURES_PAGE_MAX }): Promise<LectureSummary[]> {
    const before = page.before ?? { createdAt: Number.MAX_SAFE_INTEGER, id: '' };
    // Keyset pagination: rows strictly after the cursor (created_at, id) in (created_at DESC, id DESC).
    const { rows } = await this.pool.query<{ id: string; title: string; created_at: number; event_count: number }>(
      `SELECT l.id, l.title, l.created_at,
              (SELECT COALESCE(MAX(e.seq), 0) FROM events e WHERE e.lecture_id = l.id) AS event_count
         FROM lectures l
        WHERE l.listed AND (l.created_at < $1 OR (l.created_at = $1 AND l.id < $2))
        ORDER BY l.created_at DESC, l.id DESC
        LIMIT $3`,
      [before.createdAt, before.id, page.limit],
    );
    return rows.map((r) => ({ id: r.id, title: r.title, createdAt: r.created_at, eventCount: r.event_count }));
  }

  async appendEvent(lectureId: string, event: StoredEvent, options: { clearFlags?: boolean } = {}): Promise<number> {
    const c = toColumns(event);
    const digest = namedDigest(event);
    const insert = (db: PgQueryable) =>
      db.query(
        'INSERT INTO events (lecture_id, seq, at, format, command, frame, reveal, trained_params, trained_losses, command_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
        [lectureId, c.seq, c.at, c.format, c.command, c.frame, c.reveal, c.trainedParams, c.trainedLosses, c.commandId],
      );
    if (!digest && !options.clearFlags) {
      await insert(this.writer);
      return columnBytes(c);
    }
    await this.writer.transaction(async (db) => {
      // In the same transaction: an event never names a table the store does not hold.
      if (digest && (await db.query('UPDATE datasets SET used = true WHERE digest = $1', [digest])).rowCount === 0) {
        throw new Error(`no CSV with digest ${digest.slice(0, 12)}… is stored`);
      }
      await insert(db);
      // In the same transaction: a restart never finds the old pass's flags beside the new pass.
      if (options.clearFlags) await db.query('DELETE FROM flags WHERE lecture_id = $1', [lectureId]);
    });
    return columnBytes(c);
  }

  async events(lectureId: string, afterSeq = 0): Promise<LoadedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      'SELECT seq, at, format, command, frame, reveal, trained_params, trained_losses, command_id FROM events WHERE lecture_id = $1 AND seq > $2 ORDER BY seq',
      [lectureId, afterSeq],
    );
    return rows.map((r) => fromColumns({ format: r.format, seq: r.seq, at: r.at, command: r.command, frame: r.frame, reveal: r.reveal, trainedParams: r.trained_params, trainedLosses: r.trained_losses, commandId: r.command_id }));
  }

  async findCommand(lectureId: string, commandId: string): Promise<CommandRecord | undefined> {
    const { rows } = await this.pool.query<{ seq: number; command: string }>('SELECT seq, command FROM events WHERE lecture_id = $1 AND command_id = $2', [lectureId, commandId]);
    return rows[0] && commandRecord(rows[0]);
  }

  async *eventsJson(lectureId: string, upToSeq: number): AsyncIterable<string> {
    // A page at a time, each query run to its end: no connection is held while the caller streams.
    yield '[';
    let after = 0;
    while (after < upToSeq) {
      const { rows } = await this.pool.query<{ seq: number; at: number; command: string; frame: string }>(
        'SELECT seq, at, command, frame FROM events WHERE lecture_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT 256',
        [lectureId, after, upToSeq],
      );
      if (rows.length === 0) break;
      yield rows.map(recordingPiece).join('');
      after = rows[rows.length - 1].seq;
    }
    yield ']';
  }

  async attachTrainingResult(lectureId: string, seq: number, result: TrainingResult): Promise<void> {
    await this.writer.query('UPDATE events SET trained_params = $1, trained_losses = $2 WHERE lecture_id = $3 AND seq = $4', [encodeParams(result), encodeLosses(result), lectureId, seq]);
  }

  async putKeyframe(lectureId: string, k: StoredKeyframe): Promise<void> {
    const state = Buffer.from(k.state.buffer, k.state.byteOffset, k.state.byteLength);
    await this.writer.transaction(async (db) => {
      await db.query(
        `INSERT INTO keyframes (lecture_id, seq, format, event_format, usage, state) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (lecture_id, seq) DO UPDATE SET format = excluded.format, event_format = excluded.event_format, usage = excluded.usage, state = excluded.state`,
        [lectureId, k.seq, k.format, k.eventFormat, k.usage, state],
      );
      // All but the two latest of one format and event format (none while there are fewer).
      await db.query(
        `DELETE FROM keyframes WHERE lecture_id = $1 AND format = $2 AND event_format = $3 AND seq < (
           SELECT seq FROM keyframes WHERE lecture_id = $1 AND format = $2 AND event_format = $3 ORDER BY seq DESC LIMIT 1 OFFSET 1)`,
        [lectureId, k.format, k.eventFormat],
      );
    });
  }

  async latestKeyframe(lectureId: string, q: KeyframeQuery): Promise<StoredKeyframe | undefined> {
    // As base64 rather than bytea's hex text: megabytes of it come back in half the time (measured:
    // 4.3 MB in about 17 ms instead of 38), and Node decodes base64 natively (skipping its line breaks).
    const { rows } = await this.pool.query<{ seq: number; format: number; event_format: number; usage: string; state: string }>(
      `SELECT seq, format, event_format, usage, encode(state, 'base64') AS state FROM keyframes
        WHERE lecture_id = $1 AND format = $2 AND event_format = $3 AND seq < $4
        ORDER BY seq DESC LIMIT 1`,
      [lectureId, q.format, q.eventFormat, q.beforeSeq ?? 2 ** 31 - 1],
    );
    const row = rows[0];
    return row && { seq: row.seq, format: row.format, eventFormat: row.event_format, usage: row.usage, state: Buffer.from(row.state, 'base64') };
  }

  async saveAnswer(lectureId: string, askSeq: number, clientId: string, value: number, at: number): Promise<void> {
    await this.writer.query(
      `INSERT INTO answers (lecture_id, ask_seq, client_id, value, at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (lecture_id, ask_seq, client_id) DO UPDATE SET value = excluded.value, at = excluded.at`,
      [lectureId, askSeq, clientId, value, at],
    );
  }

  async saveAnswers(lectureId: string, askSeq: number, answers: readonly { clientId: string; value: number }[], at: number): Promise<void> {
    if (answers.length === 0) return;
    // One statement for the batch; the latest of one student's answers in it counts (DISTINCT ON keeps the last given).
    await this.writer.query(
      `INSERT INTO answers (lecture_id, ask_seq, client_id, value, at)
       SELECT DISTINCT ON (client_id) $1, $2, client_id, value, $5 FROM unnest($3::text[], $4::float8[]) WITH ORDINALITY AS a(client_id, value, n)
        ORDER BY client_id, n DESC
       ON CONFLICT (lecture_id, ask_seq, client_id) DO UPDATE SET value = excluded.value, at = excluded.at`,
      [lectureId, askSeq, answers.map((a) => a.clientId), answers.map((a) => a.value), at],
    );
  }

  async answers(lectureId: string, askSeq: number): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ client_id: string; value: number }>('SELECT client_id, value FROM answers WHERE lecture_id = $1 AND ask_seq = $2', [lectureId, askSeq]);
    return new Map(rows.map((r) => [r.client_id, r.value]));
  }

  async setFlag(lectureId: string, clientId: string, key: string, on: boolean): Promise<void> {
    if (on) await this.writer.query('INSERT INTO flags (lecture_id, client_id, key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [lectureId, clientId, key]);
    else await this.writer.query('DELETE FROM flags WHERE lecture_id = $1 AND client_id = $2 AND key = $3', [lectureId, clientId, key]);
  }

  async flags(lectureId: string): Promise<Map<string, Set<string>>> {
    const { rows } = await this.pool.query<{ client_id: string; key: string }>('SELECT client_id, key FROM flags WHERE lecture_id = $1', [lectureId]);
    const flagged = new Map<string, Set<string>>();
    for (const r of rows) {
      const who = flagged.get(r.key) ?? new Set<string>();
      who.add(r.client_id);
      flagged.set(r.key, who);
    }
    return flagged;
  }

  async putDataset(digest: string, text: string): Promise<void> {
    await this.writer.query('INSERT INTO datasets (digest, text, created_at) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING', [digest, text, Date.now()]);
  }

  async forgetUnusedDataset(digest: string): Promise<void> {
    await this.writer.query('DELETE FROM datasets WHERE digest = $1 AND NOT used', [digest]);
  }

  async datasetText(digest: string): Promise<string | undefined> {
    return (await this.pool.query<{ text: string }>('SELECT text FROM datasets WHERE digest = $1', [digest])).rows[0]?.text;
  }

  // The narration (narration-postgres.ts): through the pool, whichever node serves the route.
  createNarrationTake(lectureId: string, start: NarrationTakeStart, maxTakes: number): Promise<number | undefined> {
    return narrationTables.createNarrationTake(this.pool, lectureId, start, maxTakes);
  }

  putNarrationChunk(lectureId: string, take: number, chunk: NarrationChunk, caps: NarrationCaps): Promise<NarrationPut> {
    return narrationTables.putNarrationChunk(this.pool, lectureId, take, chunk, caps);
  }

  narration(lectureId: string): Promise<StoredNarrationTake[]> {
    return narrationTables.narration(this.pool, lectureId);
  }

  narrationChunkData(lectureId: string, take: number, fromIndex: number, toIndex: number): Promise<{ index: number; data: Uint8Array }[]> {
    return narrationTables.narrationChunkData(this.pool, lectureId, take, fromIndex, toIndex);
  }

  narrationBytes(lectureId: string): Promise<number> {
    return narrationTables.narrationBytes(this.pool, lectureId);
  }

  deleteNarration(lectureId: string): Promise<void> {
    return narrationTables.deleteNarration(this.pool, lectureId);
  }

  /**
   * SELECT 1 within PING_TIMEOUT_MS: a database that stopped answering (or a pool whose
   * connections are all stuck) makes the node unready in seconds, not after TCP gives up.
   */
  async ping(): Promise<void> {
    await rejectAfter(this.pool.query('SELECT 1'), PING_TIMEOUT_MS, `PostgreSQL did not answer SELECT 1 within ${PING_TIMEOUT_MS} ms`);
  }

  /** Closes the pool once, as SqliteStore closes its database once: closing again waits for the same. */
  close(): Promise<void> {
    return (this.closing ??= this.ownsPool ? this.pool.end() : Promise.resolve());
  }
}

/** Writes through the pool: a statement on any connection, a transaction on one. */
function poolWriter(pool: pg.Pool): PgWriter {
  return {
    query: (text, values) => pool.query(text, values),
    async transaction(work) {
      const db = await pool.connect();
      try {
        await db.query('BEGIN');
        try {
          await work(db);
          await db.query('COMMIT');
        } catch (e) {
          await db.query('ROLLBACK').catch(() => undefined);
          throw e;
        }
      } finally {
        db.release();
      }
    },
  };
}
