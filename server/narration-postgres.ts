/**
 * The narration tables of PostgresStore (migration 4): takes, and their chunks' times and bytes.
 * Always through the pool, never a lecture owner's lease connection: the narration routes use the
 * store directly, so in cluster mode any node serves them. Writes of one lecture's narration take
 * an advisory lock of their own for their transaction, so the caps' check and the insert are one
 * step however many nodes upload at once.
 */
import type pg from 'pg';
import type { NarrationCaps, NarrationChunk, NarrationPut, NarrationTakeStart, StoredNarrationTake } from './ports.js';
import { groupNarration, type NarrationChunkRow, type NarrationTakeRow } from './narration-rows.js';

/** The first key of the narration's advisory locks (the second is the lecture's hashtext): "bpnr". */
const NARRATION_LOCK = 0x6270_6e72;

/** Runs `work` in one transaction holding the lecture's narration lock: committed when it resolves, rolled back when it throws. */
async function lockedTransaction<T>(pool: pg.Pool, lectureId: string, work: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  const db = await pool.connect();
  try {
    await db.query('BEGIN');
    try {
      await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [NARRATION_LOCK, lectureId]);
      const result = await work(db);
      await db.query('COMMIT');
      return result;
    } catch (e) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  } finally {
    db.release();
  }
}

export function createNarrationTake(pool: pg.Pool, lectureId: string, start: NarrationTakeStart, maxTakes: number): Promise<number | undefined> {
  return lockedTransaction(pool, lectureId, async (db) => {
    const { count, last } = (await db.query<{ count: number; last: number }>('SELECT COUNT(*)::int AS count, COALESCE(MAX(take), 0) AS last FROM narration_takes WHERE lecture_id = $1', [lectureId])).rows[0];
    if (count >= maxTakes) return undefined;
    await db.query('INSERT INTO narration_takes (lecture_id, take, mime, started_at) VALUES ($1, $2, $3, $4)', [lectureId, last + 1, start.mime, start.startedAt]);
    return last + 1;
  });
}

export function putNarrationChunk(pool: pg.Pool, lectureId: string, take: number, chunk: NarrationChunk, caps: NarrationCaps): Promise<NarrationPut> {
  const data = Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength);
  return lockedTransaction(pool, lectureId, async (db): Promise<NarrationPut> => {
    const found = await db.query<{ chunk: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM narration_chunks WHERE lecture_id = $1 AND take = $2 AND idx = $3) AS chunk FROM narration_takes WHERE lecture_id = $1 AND take = $2',
      [lectureId, take, chunk.index],
    );
    if (found.rows.length === 0) return 'no-take';
    if (found.rows[0].chunk) return 'repeat';
    const totals = (await db.query<{ bytes: number; chunks: number }>('SELECT COALESCE(SUM(bytes), 0)::bigint AS bytes, COUNT(*)::int AS chunks FROM narration_chunks WHERE lecture_id = $1', [lectureId])).rows[0];
    if (totals.bytes + data.byteLength > caps.maxBytes) return 'over-bytes';
    if (totals.chunks + 1 > caps.maxChunks) return 'over-chunks';
    await db.query('INSERT INTO narration_chunks (lecture_id, take, idx, at, audio_at, duration, bytes, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      lectureId,
      take,
      chunk.index,
      chunk.at,
      chunk.audioAt,
      chunk.duration,
      data.byteLength,
      data,
    ]);
    return 'stored';
  });
}

export async function narration(pool: pg.Pool, lectureId: string): Promise<StoredNarrationTake[]> {
  // One statement for both (a CTE sees one snapshot): a take's chunks as of the moment it is listed.
  const { rows } = await pool.query<{ takes: NarrationTakeRow[] | null; chunks: NarrationChunkRow[] | null }>(
    `SELECT (SELECT json_agg(t ORDER BY t.take) FROM (SELECT take, mime, started_at FROM narration_takes WHERE lecture_id = $1) t) AS takes,
            (SELECT json_agg(c ORDER BY c.take, c.idx) FROM (SELECT take, idx, at, audio_at, duration, bytes FROM narration_chunks WHERE lecture_id = $1) c) AS chunks`,
    [lectureId],
  );
  return groupNarration(rows[0].takes ?? [], rows[0].chunks ?? []);
}

export async function narrationChunkData(pool: pg.Pool, lectureId: string, take: number, fromIndex: number, toIndex: number): Promise<{ index: number; data: Uint8Array }[]> {
  // As base64 rather than bytea's hex text, as keyframes are read: half the time for megabytes.
  const { rows } = await pool.query<{ idx: number; data: string }>(
    `SELECT idx, encode(data, 'base64') AS data FROM narration_chunks WHERE lecture_id = $1 AND take = $2 AND idx >= $3 AND idx <= $4 ORDER BY idx`,
    [lectureId, take, fromIndex, toIndex],
  );
  return rows.map((r) => ({ index: r.idx, data: Buffer.from(r.data, 'base64') }));
}

export async function narrationBytes(pool: pg.Pool, lectureId: string): Promise<number> {
  return (await pool.query<{ bytes: number }>('SELECT COALESCE(SUM(bytes), 0)::bigint AS bytes FROM narration_chunks WHERE lecture_id = $1', [lectureId])).rows[0].bytes;
}

export async function deleteNarration(pool: pg.Pool, lectureId: string): Promise<void> {
  await lockedTransaction(pool, lectureId, async (db) => {
    await db.query('DELETE FROM narration_chunks WHERE lecture_id = $1', [lectureId]);
    await db.query('DELETE FROM narration_takes WHERE lecture_id = $1', [lectureId]);
  });
}
