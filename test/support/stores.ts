/**
 * The stores every suite that touches storage runs against, with the same assertions: either
 * `describe.each(STORES)('on %s', (store) => { const suite = useServer({ store }); … })`, or the
 * whole file once more in the vitest project `integration:postgres` (TEST_STORE). SQLite
 * gets a temp directory, PostgreSQL a database of its own on the file's one throwaway server
 * (postgres.ts), so a file pays for one PostgreSQL however many suites it runs on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import type { LectureStore } from '../../server/ports.js';
import { PostgresStore } from '../../server/postgres-store.js';
import { SqliteStore } from '../../server/sqlite-store.js';
import { startPostgres, type PostgresServer } from './postgres.js';

export const STORES = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORES)[number];

/**
 * The store a server runs on when its test does not say: TEST_STORE, which the vitest project
 * `integration:postgres` sets to run the suites that touch storage once more on PostgreSQL, else SQLite.
 */
export function defaultStore(): StoreKind {
  const chosen = process.env.TEST_STORE;
  if (chosen === undefined || chosen === '') return 'sqlite';
  const known = STORES.find((s) => s === chosen);
  if (!known) throw new Error(`TEST_STORE must be one of ${STORES.join(', ')}; got "${chosen}"`);
  return known;
}

let filePostgres: Promise<PostgresServer> | undefined;

/**
 * The test file's PostgreSQL: started by the first test or hook that asks for it, shared by the
 * file's suites (each with a database of its own), stopped after the file's last test.
 */
function sharedPostgres(): Promise<PostgresServer> {
  return (filePostgres ??= startPostgres());
}

// Registered on the file that imports this module (its root suite): nothing to do if it never asked.
afterAll(async () => {
  const running = filePostgres;
  filePostgres = undefined;
  await (await running?.catch(() => undefined))?.stop();
});

/** A new, empty PostgreSQL database on the file's server: its URL. */
export async function freshDatabaseUrl(): Promise<string> {
  return (await sharedPostgres()).createDatabase();
}

/** An empty store of one kind for the store's own tests, which can be opened again on the same data (a restart). */
export interface FreshStore {
  readonly kind: StoreKind;
  /** Opens (another) store on the same data. */
  open(): Promise<LectureStore>;
  /** Removes the SQLite directory (PostgreSQL's database goes with its server). */
  dispose(): void;
}

export async function freshStore(kind: StoreKind): Promise<FreshStore> {
  if (kind === 'postgres') {
    const url = await freshDatabaseUrl();
    return { kind, open: () => PostgresStore.open(url), dispose: () => undefined };
  }
  const dir = mkdtempSync(join(tmpdir(), 'backprop-store-'));
  return {
    kind,
    open: async () => new SqliteStore(join(dir, 'backprop-live.sqlite')),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The stores `emptyStore` opened in the running test, closed and removed after it. */
const opened: { fresh: FreshStore; stores: LectureStore[] }[] = [];
afterEach(async () => {
  for (const { fresh, stores } of opened.splice(0)) {
    for (const s of stores) await s.close();
    fresh.dispose();
  }
});

/** An empty store of this kind, closed after the test; `reopen` opens another on the same data (a restart). */
export async function emptyStore(kind: StoreKind) {
  const fresh = await freshStore(kind);
  const entry = { fresh, stores: [] as LectureStore[] };
  opened.push(entry);
  const open = async () => {
    const s = await fresh.open();
    entry.stores.push(s);
    return s;
  };
  return { store: await open(), reopen: open };
}
