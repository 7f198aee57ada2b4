/**
 * The server in a process of its own (`server/main.ts` under tsx) on one data directory, for tests
 * that need a real `kill -9` or measure the server apart from the test's own event loop. Each
 * test file gets one directory; its processes are killed and the directory removed after it.
 * With `store: 'postgres'` (default TEST_STORE) the processes keep their lectures in one database of the file's
 * PostgreSQL (DATABASE_URL) instead of SQLite in the directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import { defaultStore, freshDatabaseUrl, type StoreKind } from './stores.js';
import { parseLogLines, type LogLine } from './logs.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ChildServers {
  readonly dataDir: string;
  /** The database the processes share, once the first has started (PostgreSQL only). */
  readonly databaseUrl: string | undefined;
  /**
   * Starts a server process on the directory (or database); resolves with its URL once it listens.
   * `env`: more of its environment (a test hook such as TEST_HOOK_EXIT_AFTER_COMMIT). `logs()`:
   * the JSON lines it has written to stdout so far, parsed (LOG_LEVEL=silent: it listens unheard,
   * and the promise resolves once it answers /api/health).
   */
  start(env?: Record<string, string>): Promise<{ url: string; child: ChildProcess; logs(): LogLine[]; stdout(): string }>;
  /** `kill -9`, resolved once the process is gone. */
  kill9(child: ChildProcess): Promise<void>;
}

export function useChildServers(prefix: string, options: { store?: StoreKind } = {}): ChildServers {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const children: ChildProcess[] = [];
  let databaseUrl: string | undefined;
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    dataDir,
    get databaseUrl() {
      return databaseUrl;
    },
    async start(env = {}) {
      if ((options.store ?? defaultStore()) === 'postgres') databaseUrl ??= await freshDatabaseUrl();
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        cwd: ROOT,
        // An empty DATABASE_URL is unset: SQLite, whatever the environment running the tests says.
        // LOG_LEVEL info unless asked: the start-up line says where it listens, whatever the tests' own environment.
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, CLIENT_DIR: join(dataDir, 'no-client'), DATABASE_URL: databaseUrl ?? '', LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      return new Promise((resolve, reject) => {
        let stdout = '';
        let stderr = '';
        const found = { url: '', child, logs: () => parseLogLines(stdout), stdout: () => stdout };
        child.stdout!.on('data', (d) => {
          stdout += d;
          if (found.url) return;
          // The start-up line, one JSON object: its `url` field is the address it listens on.
          const listening = stdout.split('\n').slice(0, -1).map(jsonOrNothing).find((line) => typeof line?.url === 'string' && String(line.msg).includes('listening on'));
          if (listening) resolve({ ...found, url: (found.url = String(listening.url)) });
        });
        child.stderr!.on('data', (d) => (stderr += d));
        child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stdout}${stderr}`)));
        if (env.LOG_LEVEL === 'silent') void untilAnswering(child, env.PORT).then((url) => url && resolve({ ...found, url: (found.url = url) }), reject);
      });
    },
    kill9(child) {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
  };
}

/**
 * A server that logs nothing says nowhere that it listens: with the PORT it was given, its URL
 * once /api/health answers there; undefined if it exits first.
 */
async function untilAnswering(child: ChildProcess, port: string | undefined): Promise<string | undefined> {
  if (!port || port === '0') throw new Error('a server started with LOG_LEVEL=silent needs a PORT of its own (freePort)');
  const url = `http://127.0.0.1:${port}`;
  while (child.exitCode === null && child.signalCode === null) {
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) return url;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

/** A TCP port free on 127.0.0.1 now (the system's choice), for a server that must be told its port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A line's JSON object, or undefined for a line that is not one (the start-up search reads every line). */
function jsonOrNothing(line: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
