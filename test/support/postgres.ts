/**
 * A throwaway PostgreSQL for the tests: Debian's server binaries, a cluster made by initdb in a
 * temp dir, a free 127.0.0.1 port, spawned as the `postgres` user when the tests run as root (the
 * server refuses to run as root), ready in about 0.7 s. Stopped by its PID and its directory
 * removed; `pause`/`resume` stop it for a while and start it again on the same port and data (a
 * database outage). Nothing here needs vitest, so a bench can start one too; a test file shares one among
 * its suites through stores.ts (sharedPostgres), each suite with a database of its own.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The superuser initdb creates (trust authentication on 127.0.0.1: nothing else can reach it). */
const SUPERUSER = 'backprop';

export interface PostgresServer {
  readonly port: number;
  readonly pid: number;
  /** A connection URL for one database of this server. */
  url(database: string): string;
  /** Creates an empty database (a fresh name unless given) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (SIGINT: fast shutdown, then SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>;
  /**
   * Stops the server the same way but keeps its data, for a test of a database that goes away for
   * a while: its clients lose their connections, and `resume` brings it back as it was.
   */
  pause(): Promise<void>;
  /** Starts a paused server again on the same port and data (a new `pid`); resolves once it accepts connections. */
  resume(): Promise<void>;
}

/** The newest Debian PostgreSQL's bin directory; the pretest (scripts/ensure-test-deps.mjs) installs one. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server in ${root}/*/bin (npm test's pretest installs Debian's postgresql)`);
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** The `postgres` user's ids when this process is root (PostgreSQL will not run as root), else none. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, and there is no postgres user to run PostgreSQL as (Debian\'s postgresql package creates it)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once the server logs that it accepts connections; rejects with its log if it exits first. */
function ready(child: ChildProcess, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (log().includes('ready to accept connections')) {
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`postgres exited with ${code}:\n${log()}`));
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

let databases = 0;

/** A running `postgres` process and the tail of its log. */
interface PostgresProcess {
  readonly child: ChildProcess;
  log(): string;
}

/** Spawns `postgres` on a data directory and port; resolves once it accepts connections, rejects (killed) if it exits first. */
async function spawnPostgres(bin: string, dir: string, port: number, ids: { uid?: number; gid?: number }): Promise<PostgresProcess> {
  // fsync off: the tests kill the server's clients, never PostgreSQL or the machine.
  const child = spawn(join(bin, 'postgres'), ['-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'], { ...ids, stdio: ['ignore', 'ignore', 'pipe'] });
  // The log is drained for as long as the server runs (a full pipe would stop it); its tail is kept for errors.
  let log = '';
  child.stderr!.on('data', (d) => (log = (log + d).slice(-8000)));
  try {
    await ready(child, () => log);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return { child, log: () => log };
}

/** SIGINT (a fast shutdown: clients are disconnected, what was committed stays), SIGKILL after 5 s; resolved once it is gone. */
async function shutDown(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid!, 'SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

/** Starts a PostgreSQL server in a temp dir; resolves once it accepts connections. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'backprop-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'], { ...ids, encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}):\n${init.stdout}${init.stderr}${init.error ?? ''}`);
  }
  const port = await freePort();
  let server: PostgresProcess | undefined;
  // A test run that dies without stopping it does not leave a server behind.
  const killOnExit = () => server?.child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    server = await spawnPostgres(bin, dir, port, ids);
  } catch (e) {
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const url = (database: string) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  const running = () => server!.child.exitCode === null && server!.child.signalCode === null;
  return {
    port,
    get pid() {
      return server!.child.pid!;
    },
    url,
    async createDatabase(name = `test_${process.pid}_${++databases}`) {
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    async stop() {
      process.off('exit', killOnExit);
      await shutDown(server!.child);
      rmSync(dir, { recursive: true, force: true });
    },
    pause: () => shutDown(server!.child),
    async resume() {
      if (running()) throw new Error(`PostgreSQL on port ${port} is running (pid ${server!.child.pid}); pause it first`);
      server = await spawnPostgres(bin, dir, port, ids);
    },
  };
}
