/**
 * The server in a process of its own (`server/main.ts` under tsx) on one data directory, for tests
 * that need a real `kill -9` or measure the server apart from the test's own event loop. Each
 * test file gets one directory; its processes are killed and the directory removed after it.
 * With `store: 'postgres'` (default TEST_STORE) the processes keep their lectures in one database of the file's
 * PostgreSQL (DATABASE_URL) instead of SQLite in the directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import { defaultStore, freshDatabaseUrl, type StoreKind } from './stores.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ChildServers {
  readonly dataDir: string;
  /** The database the processes share, once the first has started (PostgreSQL only). */
  readonly databaseUrl: string | undefined;
  /**
   * Starts a server process on the directory (or database); resolves with its URL once it listens.
   * `env`: more of its environment (a test hook such as TEST_HOOK_EXIT_AFTER_COMMIT).
   */
  start(env?: Record<string, string>): Promise<{ url: string; child: ChildProcess }>;
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
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, CLIENT_DIR: join(dataDir, 'no-client'), DATABASE_URL: databaseUrl ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      return new Promise((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /listening on (http:\/\/[^\s]+)/.exec(out);
          if (m) resolve({ url: m[1], child });
        });
        child.stderr!.on('data', (d) => (out += d));
        child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
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
