/**
 * Starts the real server in-process on a free port, with a temporary DATA_DIR and real SQLite (or
 * PostgreSQL: `store: 'postgres'` or a `databaseUrl`), serving the built client when it exists.
 * Tests talk to it over real HTTP and socket.io.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApp, type App, type AppOptions } from '../../server/app.js';
import { SqliteStore } from '../../server/sqlite-store.js';
import { ClientIds, clientIdKey } from '../../server/client-ids.js';
import type { Clock, LectureStore, RandomSource } from '../../server/ports.js';
import { PostgresStore } from '../../server/postgres-store.js';
import { defaultStore, freshDatabaseUrl, type StoreKind } from './stores.js';
import type { EventLimits } from '../../server/realtime.js';

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The PostgreSQL database the server keeps its lectures in; undefined on SQLite (in dataDir). */
  readonly databaseUrl?: string;
  readonly app: App;
  readonly store: LectureStore;
  /**
   * A client id this server signed, the same for the same name (and data directory, so across a
   * restart): what a browser that connected before holds. Chosen ids are replaced at the handshake.
   */
  clientId(name: string): string;
  close(): Promise<void>;
}

/** Issued ids by data directory and name. */
const issuedIds = new Map<string, string>();
/** The PostgreSQL database of each data directory: a server started again on a directory finds its lectures, on either store. */
const databaseOfDir = new Map<string, string>();

export const CLIENT_DIR = resolve(import.meta.dirname, '../../dist/client');

export interface StartOptions {
  dataDir?: string;
  /**
   * Which store: SQLite in dataDir, or PostgreSQL (a new database on the file's server, or the
   * one a server on the same dataDir used); default TEST_STORE, else SQLite.
   */
  store?: StoreKind;
  /** An existing PostgreSQL database (a restart of a server that ran on it); implies PostgreSQL. */
  databaseUrl?: string;
  clock?: Clock;
  random?: RandomSource;
  createKey?: string;
  guessesPerMinute?: number;
  eventLimits?: EventLimits;
  maxSocketBufferBytes?: number;
  snapshotIntervalMs?: number;
  /** Anything else createApp takes (limits, caps), passed through as given. */
  app?: Partial<AppOptions>;
}

/** A clock the test moves by hand (for rate limits and time stamps). */
export class ManualClock implements Clock {
  constructor(public ms = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'backprop-live-'));
  const onPostgres = options.databaseUrl !== undefined || (options.store ?? defaultStore()) === 'postgres';
  const databaseUrl = onPostgres ? (options.databaseUrl ?? databaseOfDir.get(dataDir) ?? (await freshDatabaseUrl())) : undefined;
  if (databaseUrl) databaseOfDir.set(dataDir, databaseUrl);
  const store = databaseUrl ? await PostgresStore.open(databaseUrl) : new SqliteStore(join(dataDir, 'backprop-live.sqlite'));
  // The data directory's key, as main.ts uses: a restarted server accepts the client ids it issued.
  const app = createApp({ store, clientDir: CLIENT_DIR, clientIdKey: clientIdKey(dataDir), clock: options.clock, random: options.random, createKey: options.createKey, guessesPerMinute: options.guessesPerMinute, eventLimits: options.eventLimits, maxSocketBufferBytes: options.maxSocketBufferBytes, snapshotIntervalMs: options.snapshotIntervalMs, ...options.app });
  await new Promise<void>((ready) => app.server.listen(0, '127.0.0.1', ready));
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    databaseUrl,
    app,
    store,
    clientId(name) {
      const key = `${dataDir}\0${name}`;
      if (!issuedIds.has(key)) issuedIds.set(key, new ClientIds(clientIdKey(dataDir)).issue());
      return issuedIds.get(key)!;
    },
    async close() {
      await app.close();
      await store.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
