/**
 * A throwaway Redis for the cluster tests and benches: Debian's `redis-server` on a free 127.0.0.1
 * port with no persistence (`--save '' --appendonly no`), so a restart comes back empty, as a Redis
 * that lost its memory does; the cluster keeps nothing there it cannot lose. Ready in about 15 ms.
 * Stopped and killed by its PID, killed when this process exits, its directory removed by close().
 * Nothing here needs vitest, so a bench can start one too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, the same across stop() and start(). */
  readonly url: string;
  /** The running server's PID (a new one after start()); undefined while it is stopped. */
  readonly pid: number | undefined;
  /** SIGTERM (Redis shuts down without saving: there is nothing to save), resolved once it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty; resolved once it accepts connections. */
  start(): Promise<void>;
  /** `kill -9`, resolved once it is gone. */
  kill9(): Promise<void>;
  /** Kills it if it runs and removes its directory: the end of it. */
  close(): Promise<void>;
}

/** The line Redis logs once it listens (7.0: "Ready to accept connections tcp"; 6: "... connections"). */
const READY = 'Ready to accept connections';

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Resolved once `child` has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Spawns redis-server on `port` in `dir`; resolves once it logs that it is ready, rejects with its log if it exits first. */
async function spawnRedis(port: number, dir: string): Promise<ChildProcess> {
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'notice'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // The log is drained for as long as the server runs (a full pipe would stop it); its tail is kept for errors.
  let log = '';
  const keep = (d: Buffer) => (log = (log + d.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (!log.includes(READY)) return;
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      resolve();
    };
    const onExit = (code: number | null, signal: string | null) => reject(new Error(`redis-server exited (${code ?? signal}) before it was ready:\n${log}`));
    const onError = (err: Error) => reject(new Error(`redis-server could not be started (the pretest installs Debian's redis-server): ${err.message}`));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
  return child;
}

/** Starts a Redis server on a free 127.0.0.1 port; resolves once it accepts connections. */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  // A test run that dies without closing it does not leave a server behind.
  const killOnExit = () => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const signalAndWait = async (signal: NodeJS.Signals) => {
    if (!child || !running()) return;
    const gone = exited(child);
    process.kill(child.pid!, signal);
    await gone;
  };
  try {
    child = await spawnRedis(port, dir);
  } catch (e) {
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return running() ? child!.pid : undefined;
    },
    async stop() {
      if (!child || !running()) return;
      // A Redis that does not finish shutting down in 5 s is killed.
      const timer = setTimeout(() => child?.kill('SIGKILL'), 5000);
      await signalAndWait('SIGTERM');
      clearTimeout(timer);
    },
    async start() {
      if (running()) throw new Error(`redis on port ${port} is already running (pid ${child!.pid})`);
      child = await spawnRedis(port, dir);
    },
    kill9: () => signalAndWait('SIGKILL'),
    async close() {
      await signalAndWait('SIGKILL');
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
