import pg from 'pg';
import type { PgQueryable, PgWriter } from '../postgres-store.js';
import { OWNER_LOCK_NAMESPACE, ownerLockKey } from './lock-key.js';

/** Defaults: PostgreSQL ends a lease session idle this long, so a frozen owner loses its lectures in seconds. */
export const DEFAULT_LEASE_TIMEOUT_MS = 3_000;

export interface LeaseOptions {
  readonly connectionString: string;
  readonly nodeId: string;
  /** idle_session_timeout of the lease connection (LEASE_TIMEOUT_MS). */
  readonly timeoutMs?: number;
}

/** Errors that mean the connection itself is gone (no SQLSTATE, or connection/operator-intervention classes). */
function connectionLost(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code !== 'string' || code.startsWith('08') || code.startsWith('57P');
}

/**
 * One node's lease on its lectures: a dedicated PostgreSQL session that holds the advisory lock of
 * every lecture the node owns, and through which the node writes those lectures' events. PostgreSQL
 * drops every lock of the session when it ends (the process died, the network broke, or
 * `idle_session_timeout` fired on a frozen process), and from then on nothing written through it
 * commits: a node that lost a lecture cannot record (and so cannot broadcast) anything for it.
 *
 * A heartbeat keeps a live session from being timed out; `verified` says whether one answered
 * recently (by the monotonic clock, which runs while a process is stopped), so what is published
 * without a commit (training progress, `head`) is published only by a node that knows it still
 * holds its lease. Statements on the session run one at a time (a transaction is never interleaved
 * with another lecture's statement).
 */
export class LeaseSession implements PgWriter {
  private alive = true;
  private queue: Promise<unknown> = Promise.resolve();
  private lastOk = performance.now();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly lostHandlers = new Set<(reason: string) => void>();
  /** The backend's process id: what pg_locks names as the holder of this session's locks. */
  readonly pid: number;

  private constructor(
    private readonly client: pg.Client,
    pid: number,
    readonly timeoutMs: number,
  ) {
    this.pid = pid;
    client.on('error', (err) => this.lose(`the lease connection failed: ${err.message}`));
    client.on('end', () => this.lose('the lease connection ended'));
    this.heartbeat = setInterval(() => void this.beat(), Math.max(100, Math.floor(timeoutMs / 4)));
    this.heartbeat.unref();
  }

  static async open({ connectionString, nodeId, timeoutMs = DEFAULT_LEASE_TIMEOUT_MS }: LeaseOptions): Promise<LeaseSession> {
    const client = new pg.Client({
      connectionString,
      application_name: `backprop-live ${nodeId}`.slice(0, 63),
      keepAlive: true,
      // Both: a session idle between statements, or stuck inside a transaction, is ended by PostgreSQL.
      options: `-c idle_session_timeout=${timeoutMs} -c idle_in_transaction_session_timeout=${timeoutMs}`,
      connectionTimeoutMillis: timeoutMs,
    });
    // Until the session exists, a failure is the caller's to handle (the error handler is added with it).
    const failed = (err: Error) => void err;
    client.on('error', failed);
    try {
      await client.connect();
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      client.off('error', failed);
      return new LeaseSession(client, pid, timeoutMs);
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
  }

  /** Whether the session is still open (it may have been ended by PostgreSQL without this process knowing yet). */
  get open(): boolean {
    return this.alive;
  }

  /** Whether a statement answered within half the timeout: the session, and every lock it holds, is surely still ours. */
  get verified(): boolean {
    return this.alive && performance.now() - this.lastOk < this.timeoutMs / 2;
  }

  /** Called once, when the session is lost (with why); every lock it held is gone. */
  onLost(handler: (reason: string) => void): () => void {
    this.lostHandlers.add(handler);
    return () => this.lostHandlers.delete(handler);
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.exclusive(() => this.client.query<R>(text, values));
  }

  transaction(work: (db: PgQueryable) => Promise<void>): Promise<void> {
    return this.exclusive(async () => {
      await this.client.query('BEGIN');
      try {
        await work(this.client);
        await this.client.query('COMMIT');
      } catch (e) {
        await this.client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  /** Takes the lecture's owner lock if nobody holds it; true when this session holds it now. */
  async tryLock(lectureId: string): Promise<boolean> {
    const { rows } = await this.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [OWNER_LOCK_NAMESPACE, ownerLockKey(lectureId)]);
    return rows[0]?.ok === true;
  }

  /** Lets the lecture's owner lock go (a graceful hand-over); the next node that needs it takes it. */
  async unlock(lectureId: string): Promise<void> {
    await this.query('SELECT pg_advisory_unlock($1, $2)', [OWNER_LOCK_NAMESPACE, ownerLockKey(lectureId)]);
  }

  /** Ends the session (every lock with it). */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.alive = false;
    await this.client.end().catch(() => undefined);
  }

  private async beat(): Promise<void> {
    if (!this.alive) return;
    try {
      await this.query('SELECT 1');
    } catch {
      // exclusive() has judged the error.
    }
  }

  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(async () => {
      if (!this.alive) throw new Error('this node has lost its PostgreSQL lease (its lectures have moved to another node)');
      try {
        const value = await run();
        this.lastOk = performance.now();
        return value;
      } catch (err) {
        if (connectionLost(err)) this.lose(`the lease connection failed: ${(err as Error).message}`);
        throw err;
      }
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private lose(reason: string): void {
    if (!this.alive) return;
    this.alive = false;
    clearInterval(this.heartbeat);
    void this.client.end().catch(() => undefined);
    for (const handler of this.lostHandlers) handler(reason);
    this.lostHandlers.clear();
  }
}
