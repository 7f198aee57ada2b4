/**
 * The throwaway PostgreSQL of a bench: test/support/postgres.ts's server (initdb in a temp dir, a
 * free 127.0.0.1 port, fsync off), started for the benches that run our server on PostgreSQL and
 * stopped by its PID when they end or fail. A process that exits before (the time limit, Ctrl-C)
 * SIGKILLs it through startPostgres's own exit handler.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { startPostgres, type PostgresServer } from '../../test/support/postgres.js';

/** Runs `fn` with a PostgreSQL server of its own, always stopped afterwards. */
export async function withPostgres<T>(fn: (server: PostgresServer) => Promise<T>): Promise<T> {
  const server = await startPostgres();
  console.log(`  PostgreSQL started (pid ${server.pid}, port ${server.port})`);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** The fields after a /proc/<pid>/stat's command name (the first is field 3, state), or none if gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU time in ms that a PostgreSQL server has used: the postmaster's own and its reaped children's
 * (cutime, cstime), plus each live child's (the pool's backends, checkpointer, WAL writer…). This
 * is the database's share of a command's cost, which the server process's CPU does not include.
 */
export function postgresCpuMs(postmasterPid: number): number {
  const own = statFields(postmasterPid);
  if (!own) return NaN;
  // utime is field 14, stime 15, cutime 16, cstime 17.
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    // ppid is field 4.
    if (f && Number(f[1]) === postmasterPid) ticks += Number(f[11]) + Number(f[12]);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
