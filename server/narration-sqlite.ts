/**
 * The narration tables of SqliteStore: takes, and their chunks' times and bytes. Kept apart from
 * the lecture's log (sqlite-store.ts delegates its narration methods here): audio is megabytes a
 * lecture and is read only by the narration routes.
 */
import type Database from 'better-sqlite3';
import type { NarrationCaps, NarrationChunk, NarrationPut, NarrationTakeStart, StoredNarrationTake } from './ports.js';
import { groupNarration, type NarrationChunkRow, type NarrationTakeRow } from './narration-rows.js';

export const NARRATION_SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS narration_takes (
  lecture_id TEXT NOT NULL REFERENCES lectures(id),
  take       INTEGER NOT NULL,
  mime       TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  PRIMARY KEY (lecture_id, take)
) WITHOUT ROWID;
-- With rowids and the bytes last, as datasets: audio does not belong in a clustered index.
CREATE TABLE IF NOT EXISTS narration_chunks (
  lecture_id TEXT NOT NULL,
  take       INTEGER NOT NULL,
  idx        INTEGER NOT NULL,
  at         INTEGER NOT NULL,
  audio_at   INTEGER NOT NULL,
  duration   INTEGER NOT NULL,
  bytes      INTEGER NOT NULL,
  data       BLOB NOT NULL,
  PRIMARY KEY (lecture_id, take, idx),
  FOREIGN KEY (lecture_id, take) REFERENCES narration_takes (lecture_id, take)
);
-- The caps' sums (every upload) from the index alone, never from rows that hold audio.
CREATE INDEX IF NOT EXISTS narration_chunk_sizes ON narration_chunks (lecture_id, bytes);
`;

export class SqliteNarration {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    db.exec(NARRATION_SQLITE_SCHEMA);
    this.stmts = {
      takeCount: db.prepare<[string], { count: number; last: number }>('SELECT COUNT(*) AS count, COALESCE(MAX(take), 0) AS last FROM narration_takes WHERE lecture_id = ?'),
      insertTake: db.prepare('INSERT INTO narration_takes (lecture_id, take, mime, started_at) VALUES (?, ?, ?, ?)'),
      hasTake: db.prepare<[string, number], { one: number }>('SELECT 1 AS one FROM narration_takes WHERE lecture_id = ? AND take = ?'),
      hasChunk: db.prepare<[string, number, number], { one: number }>('SELECT 1 AS one FROM narration_chunks WHERE lecture_id = ? AND take = ? AND idx = ?'),
      totals: db.prepare<[string], { bytes: number; chunks: number }>('SELECT COALESCE(SUM(bytes), 0) AS bytes, COUNT(*) AS chunks FROM narration_chunks WHERE lecture_id = ?'),
      insertChunk: db.prepare('INSERT INTO narration_chunks (lecture_id, take, idx, at, audio_at, duration, bytes, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      takes: db.prepare<[string], NarrationTakeRow>('SELECT take, mime, started_at FROM narration_takes WHERE lecture_id = ? ORDER BY take'),
      chunks: db.prepare<[string], NarrationChunkRow>('SELECT take, idx, at, audio_at, duration, bytes FROM narration_chunks WHERE lecture_id = ? ORDER BY take, idx'),
      data: db.prepare<[string, number, number, number], { idx: number; data: Buffer }>(
        'SELECT idx, data FROM narration_chunks WHERE lecture_id = ? AND take = ? AND idx >= ? AND idx <= ? ORDER BY idx',
      ),
      deleteChunks: db.prepare('DELETE FROM narration_chunks WHERE lecture_id = ?'),
      deleteTakes: db.prepare('DELETE FROM narration_takes WHERE lecture_id = ?'),
    };
  }

  createTake(lectureId: string, start: NarrationTakeStart, maxTakes: number): number | undefined {
    // IMMEDIATE: the count and the insert under the write lock, whoever else writes the file.
    return this.db
      .transaction(() => {
        const { count, last } = this.stmts.takeCount.get(lectureId)!;
        if (count >= maxTakes) return undefined;
        this.stmts.insertTake.run(lectureId, last + 1, start.mime, start.startedAt);
        return last + 1;
      })
      .immediate();
  }

  putChunk(lectureId: string, take: number, chunk: NarrationChunk, caps: NarrationCaps): NarrationPut {
    const data = Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength);
    return this.db
      .transaction((): NarrationPut => {
        if (!this.stmts.hasTake.get(lectureId, take)) return 'no-take';
        if (this.stmts.hasChunk.get(lectureId, take, chunk.index)) return 'repeat';
        const totals = this.stmts.totals.get(lectureId)!;
        if (totals.bytes + data.byteLength > caps.maxBytes) return 'over-bytes';
        if (totals.chunks + 1 > caps.maxChunks) return 'over-chunks';
        this.stmts.insertChunk.run(lectureId, take, chunk.index, chunk.at, chunk.audioAt, chunk.duration, data.byteLength, data);
        return 'stored';
      })
      .immediate();
  }

  narration(lectureId: string): StoredNarrationTake[] {
    // One read transaction: a take and its chunks as of one moment.
    return this.db.transaction(() => groupNarration(this.stmts.takes.all(lectureId), this.stmts.chunks.all(lectureId)))();
  }

  chunkData(lectureId: string, take: number, fromIndex: number, toIndex: number): { index: number; data: Uint8Array }[] {
    return this.stmts.data.all(lectureId, take, fromIndex, toIndex).map((r) => ({ index: r.idx, data: r.data }));
  }

  bytes(lectureId: string): number {
    return this.stmts.totals.get(lectureId)!.bytes;
  }

  delete(lectureId: string): void {
    this.db.transaction(() => {
      this.stmts.deleteChunks.run(lectureId);
      this.stmts.deleteTakes.run(lectureId);
    })();
  }
}
