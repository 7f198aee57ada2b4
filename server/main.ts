import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { readConfig, type Config } from './config.js';
import { clientIdKey } from './client-ids.js';
import { SqliteStore } from './sqlite-store.js';
import { PostgresStore } from './postgres-store.js';
import type { LectureStore } from './ports.js';
import { lanBase } from './lan-address.js';
import { exitAfterCommit } from './test-hooks.js';
import { log, NODE_ID } from './log.js';
import { ClusterBus } from './cluster/bus.js';

const config = readConfig();
const opened = await openStore(config);
// A test hook (docs/security.md): unset, the store as opened.
const store = config.testHookExitAfterCommit ? exitAfterCommit(opened, config.testHookExitAfterCommit) : opened;
// dist/server/main.js → dist/client
const clientDir = config.clientDir ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'client');
// Without PUBLIC_URL, links for a console opened at localhost use this machine's address on the room's network.
const lanUrl = config.publicUrl ? undefined : lanBase(config.host, config.port);
// Both DATABASE_URL and REDIS_URL: this process is one node of a cluster (docs/architecture.md, "Many nodes").
const bus = config.databaseUrl && config.redisUrl ? await openBus(config.redisUrl) : undefined;
const cluster = bus && opened instanceof PostgresStore ? { bus, store: opened, databaseUrl: config.databaseUrl!, leaseTimeoutMs: config.leaseTimeoutMs } : undefined;
const app = createApp({
  store,
  clientDir,
  publicUrl: config.publicUrl,
  lanUrl,
  createKey: config.createKey,
  allowedOrigins: config.allowedOrigins,
  embedOrigins: config.embedOrigins,
  maxSocketBufferBytes: config.maxSocketBufferBytes,
  trustProxy: config.trustProxy,
  creationsPerHour: config.creationsPerHour,
  guessesPerMinute: config.guessesPerMinute,
  maxSocketsPerAddress: config.maxSocketsPerAddress,
  maxConcurrentTrainings: config.maxTrainings,
  clientIdKey: clientIdKey(config.dataDir),
  serveMetrics: config.serveMetrics,
  metricsToken: config.metricsToken,
  cluster,
  narrationMaxBytes: config.narrationMaxBytes,
});

app.server.listen(config.port, config.host, () => {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // Readable as they are (`msg`), and as fields for whatever reads the JSON (tests take `url`).
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  const data = config.databaseUrl ? (cluster ? `PostgreSQL; node ${NODE_ID} of a cluster through Redis` : 'PostgreSQL') : config.dataDir;
  log.info({ url, data }, `Backprop Live listening on ${url} (data in ${data})`);
  const shared = config.publicUrl ?? lanUrl;
  if (shared) log.info({ studentsUrl: shared }, `Students open the links and QR codes on ${shared}${config.publicUrl ? ' (PUBLIC_URL)' : ' (set PUBLIC_URL to give another address)'}`);
  // A warning: LOG_LEVEL=warn still shows who may create lectures, and the key drawn for this run.
  for (const line of createKeyNotice(config)) log.warn(line);
});

/**
 * DATABASE_URL: PostgreSQL, its schema migrated first; else the embedded SQLite in DATA_DIR. A
 * store that cannot be opened (unreachable, or a schema newer than this server) stops the start
 * with the sentence that says why.
 */
async function openStore({ databaseUrl, dataDir, synchronous }: Config): Promise<LectureStore> {
  try {
    return databaseUrl ? await PostgresStore.open(databaseUrl) : new SqliteStore(join(dataDir, 'backprop-live.sqlite'), { synchronous });
  } catch (e) {
    log.fatal({ err: e }, `Backprop Live cannot open its ${databaseUrl ? 'PostgreSQL database (DATABASE_URL)' : `SQLite database in ${dataDir}`}: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}

/** Connects to REDIS_URL; a Redis that cannot be reached stops the start with the sentence that says why. */
async function openBus(url: string): Promise<ClusterBus> {
  try {
    return await ClusterBus.open(url, NODE_ID);
  } catch (e) {
    log.fatal({ err: e }, `Backprop Live cannot reach Redis (REDIS_URL): ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}

/** Says who may create lectures when that is not just this machine's own users: a sentence a line. */
function createKeyNotice({ createKey, createKeySource, host }: Config): string[] {
  if (createKeySource === 'generated') {
    return [
      `Creating a lecture needs a key: HOST=${host} can be reached from other machines and CREATE_KEY is not set.`,
      `This run's key: ${createKey}  (type it on the home page; it changes at every start)`,
      'Set CREATE_KEY=<a key of your own> to keep one, or CREATE_KEY=off to let anyone who reaches this server create lectures.',
    ];
  }
  if (createKeySource === 'off') return [`CREATE_KEY=off: anyone who reaches this server (HOST=${host}) may create lectures.`];
  return [];
}

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  log.info({ signal }, `${signal}: finishing running trainings and closing`);
  await app.close();
  await bus?.close();
  await store.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
