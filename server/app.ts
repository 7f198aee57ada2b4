import express from 'express';
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { apiRouter } from './http-api.js';
import { narrationRouter } from './narration-api.js';
import { LectureRegistry } from './lectures.js';
import type { Clock, LectureStore, RandomSource } from './ports.js';
import { attachRealtime, DEFAULT_EVENT_LIMITS, type EventLimits, type RealtimeOptions } from './realtime.js';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import type { LectureDirectory } from './live-lecture.js';
import type { RoomDeps } from './lecture-room.js';
import type { ClusterBus } from './cluster/bus.js';
import { ClusterNode } from './cluster/cluster-node.js';
import { ClusterPresence } from './cluster/presence.js';
import type { PostgresStore } from './postgres-store.js';
import type { TypedServer } from './realtime/socket-io.js';
import { localGuards } from './guards.js';
import { redisGuards } from './cluster/redis-guards.js';
import { TRUST_NO_PROXY, type ProxyTrust } from './client-address.js';
import { ClientIds } from './client-ids.js';
import { securityHeaders } from './security-headers.js';
import { finalErrorHandler, notFound } from './error-pages.js';
import { clientFiles, singlePage } from './static-assets.js';
import { codeRedirect, joinFromForm } from './join-route.js';
import { TrainingSlots } from './training-slots.js';
import { DEFAULT_LECTURE_LIMITS, type LectureLimits } from './lecture-quota.js';
import { metricsRoute, ServerMetrics, timedStore } from './metrics.js';
import { NODE_ID } from './log.js';

export interface AppOptions {
  readonly store: LectureStore;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** The built client (dist/client); when absent only the API is served. */
  readonly clientDir?: string;
  readonly publicUrl?: string;
  /**
   * Without publicUrl: the base handed out to a browser that reached the server as localhost
   * (lan-address.ts), so the links and QR codes an instructor projects open on phones.
   */
  readonly lanUrl?: string;
  /** Origins besides this site's own that may open socket.io connections (ALLOWED_ORIGINS). */
  readonly allowedOrigins?: readonly string[];
  /** Who may frame the embeddable replay, /embed/:id (EMBED_ORIGINS): frame-ancestors sources, default `*`; empty, nobody. */
  readonly embedOrigins?: readonly string[];
  /** Require this key (X-Create-Key) to create lectures; unset, anyone can. */
  readonly createKey?: string;
  /** Failed code or token guesses allowed per address (and lecture, for tokens) per minute before further failures are delayed. */
  readonly guessesPerMinute?: number;
  /** Whose X-Forwarded-For is believed (TRUST_PROXY); default none: the client is the TCP peer. */
  readonly trustProxy?: ProxyTrust;
  /** Lectures one address may create an hour (CREATIONS_PER_HOUR, default 60; all at once, then one a minute). */
  readonly creationsPerHour?: number;
  /** Students' sockets one address may have open on one lecture (MAX_SOCKETS_PER_ADDRESS, default 200). */
  readonly maxSocketsPerAddress?: number;
  /** Signs the client ids the server issues (DATA_DIR/client-id.key); default a key for this process only. */
  readonly clientIdKey?: Buffer;
  /** Messages per socket: a burst, then a rate (defaults suit a lecture; tests that fire fast raise them). */
  readonly eventLimits?: EventLimits;
  /** A socket with more bytes than this waiting to be sent is dropped (MAX_SOCKET_BUFFER_BYTES, default 8 MiB). */
  readonly maxSocketBufferBytes?: number;
  /** At most one snapshot per socket per this many ms (default 5 s). */
  readonly snapshotIntervalMs?: number;
  /** Trainings that run at once across all lectures (MAX_TRAININGS); the others wait their turn. */
  readonly maxConcurrentTrainings?: number;
  /** What one lecture may record and train (events, bytes, epochs and uploads an hour). */
  readonly lectureLimits?: Partial<LectureLimits>;
  /** A lecture nobody has used for this long leaves memory (it comes back from the store when asked for). */
  readonly idleLectureMs?: number;
  /** This process's name in /metrics and /api/health (NODE_ID, else the hostname). */
  readonly nodeId?: string;
  /** Serve GET /metrics (METRICS, default on; `off` turns it off). */
  readonly serveMetrics?: boolean;
  /** Cluster mode: this process is one node of several (server/cluster/). */
  readonly cluster?: ClusterSetup;
  /** When set, /metrics needs `Authorization: Bearer <metricsToken>` (METRICS_TOKEN). */
  readonly metricsToken?: string;
  /** The bytes one lecture's narration may hold in all takes (NARRATION_MAX_BYTES, default 200 MB). */
  readonly narrationMaxBytes?: number;
}

/** Lectures an address may create an hour: a department behind one NAT creates far fewer. */
export const DEFAULT_CREATIONS_PER_HOUR = 60;
/** Students' sockets per address per lecture: a classroom behind one NAT fits; one machine's 2,000 do not. */
export const DEFAULT_MAX_SOCKETS_PER_ADDRESS = 200;

/** Trainings at once: each takes slices of the one event loop, so a few keep everything else responsive. */
export const DEFAULT_MAX_TRAININGS = 4;
const DEFAULT_IDLE_LECTURE_MS = 30 * 60_000;
/** How often a cluster node tells its sockets the seq it holds. */
const CLIENT_HEAD_EVERY_MS = 3_000;

export interface App {
  readonly server: HttpServer;
  readonly io: TypedServer;
  /** The lectures of one process (in cluster mode: unused; `cluster` serves them). */
  readonly registry: LectureRegistry;
  /** In cluster mode, this process's node of the cluster. */
  readonly cluster?: ClusterNode;
  /** What /metrics shows (counted whether or not it is served). */
  readonly metrics: ServerMetrics;
  /** Forgets the lectures nobody uses (no socket, no training, idle for idleLectureMs); returns how many. Runs every minute. */
  evictIdleLectures(): number;
  /** Stops training runs (committing them), closes sockets and the HTTP server. The store stays open. */
  close(): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now() };
export const cryptoRandom: RandomSource = { bytes: (n) => randomBytes(n) };

/** Cluster mode (DATABASE_URL and REDIS_URL): the bus the caller opened, the database the lease sessions connect to. */
export interface ClusterSetup {
  readonly bus: ClusterBus;
  /** The PostgreSQL store as opened (its pool serves reads; each lease session gets a store writing through it). */
  readonly store: PostgresStore;
  readonly databaseUrl: string;
  /** The lease's idle_session_timeout (LEASE_TIMEOUT_MS, default 3 s). */
  readonly leaseTimeoutMs?: number;
}

function clusterNode(setup: ClusterSetup, nodeId: string, metrics: ServerMetrics, roomDeps: Omit<RoomDeps, 'store'>): ClusterNode {
  return new ClusterNode({
    store: setup.store,
    wrapStore: (s) => timedStore(s, metrics),
    bus: setup.bus,
    databaseUrl: setup.databaseUrl,
    nodeId,
    leaseTimeoutMs: setup.leaseTimeoutMs,
    roomDeps,
    metrics,
  });
}

/** socket.io across nodes: Redis's sharded adapter (static: one channel, for the few calls that cross nodes) and presence summed through Redis. */
function clusterRealtime(bus: ClusterBus): Pick<RealtimeOptions, 'adapter' | 'presence'> {
  const [pub, sub] = bus.adapterClients();
  return {
    adapter: createShardedAdapter(pub, sub, { subscriptionMode: 'static' }),
    presence: (io) => new ClusterPresence(io, bus.redis, bus.instance),
  };
}

/** Builds the whole server; the caller decides where it listens and owns the store. */
export function createApp(options: AppOptions): App {
  const { clientDir, publicUrl, createKey } = options;
  const nodeId = options.nodeId ?? NODE_ID;
  const metrics = new ServerMetrics(nodeId);
  // Every read and write of the server's parts is timed; the caller keeps (and closes) the store itself.
  const store = timedStore(options.store, metrics);
  const clock = options.clock ?? systemClock;
  const roomDeps = {
    metrics,
    clock,
    random: options.random ?? cryptoRandom,
    trainings: new TrainingSlots(options.maxConcurrentTrainings ?? DEFAULT_MAX_TRAININGS),
    limits: { ...DEFAULT_LECTURE_LIMITS, ...options.lectureLimits },
  };
  const registry = new LectureRegistry({ store, ...roomDeps });
  // One process: the registry's rooms are the lectures. A cluster: the node serves every lecture from a replica and owns some.
  const cluster = options.cluster && clusterNode(options.cluster, nodeId, metrics, roomDeps);
  const lectures: LectureDirectory = cluster ?? registry;
  const trustProxy = options.trustProxy ?? TRUST_NO_PROXY;
  // HTTP commands spend the same budget per lecture as an instructor's socket does per socket.
  const guardLimits = { guessesPerMinute: options.guessesPerMinute ?? 20, creationsPerHour: options.creationsPerHour ?? DEFAULT_CREATIONS_PER_HOUR, commands: (options.eventLimits ?? DEFAULT_EVENT_LIMITS).instructor };
  // A cluster counts in Redis: N nodes must not give a guesser N times the guesses.
  const { guesses: guessGuard, creations, httpCommands } = options.cluster ? redisGuards(options.cluster.bus.redis, clock, guardLimits) : localGuards(clock, guardLimits);
  const web = express();
  web.disable('x-powered-by');
  web.set('trust proxy', trustProxy);
  web.use(securityHeaders(options.embedOrigins));
  web.use('/api', narrationRouter({ registry: lectures, store, clock, guessGuard, maxBytes: options.narrationMaxBytes }));
  web.use('/api', apiRouter({ registry: lectures, store, publicUrl, lanUrl: options.lanUrl, createKey, guessGuard, creations, httpCommands, nodeId, cluster }));
  // For operators' scrapers, not browsers: before the client's files and the join-code redirect.
  if (options.serveMetrics ?? true) web.get('/metrics', metricsRoute(metrics, options.metricsToken));
  if (clientDir && existsSync(join(clientDir, 'index.html'))) {
    const files = clientFiles(clientDir);
    web.use(files);
    // Client-side routes: the single page decides what to show.
    web.get(['/lecture/*rest', '/replay/*rest', '/embed/*rest'], singlePage(files));
  } else {
    web.get('/', (_req, res) => res.type('text/plain').send('Backprop Live API is running; the client is not built (npm run build).'));
  }
  // After the files, so a file's name is never taken for a code.
  web.get('/join', joinFromForm);
  web.get('/*code', codeRedirect);
  web.use(notFound);
  web.use(finalErrorHandler);
  const server = createServer(web);
  const io = attachRealtime(server, {
    registry: lectures,
    guessGuard,
    clock,
    trustProxy,
    maxSocketsPerAddress: options.maxSocketsPerAddress ?? DEFAULT_MAX_SOCKETS_PER_ADDRESS,
    clientIds: new ClientIds(options.clientIdKey ?? randomBytes(32)),
    eventLimits: options.eventLimits,
    origins: { publicUrl, allowedOrigins: options.allowedOrigins },
    maxSocketBufferBytes: options.maxSocketBufferBytes,
    snapshotIntervalMs: options.snapshotIntervalMs,
    metrics,
    ...(options.cluster ? clusterRealtime(options.cluster.bus) : {}),
  });
  const socketsOf = (id: string) => io.sockets.adapter.rooms.get(id)?.size ?? 0;
  cluster?.countSocketsWith(socketsOf);
  // A frame that never reached a socket shows as a head ahead of it: the client syncs (cluster mode only, where a node's frames come through Redis).
  // Only for lectures that moved since the last head: an idle lecture's sockets already had its last frame's seq.
  const headSent = new Map<string, number>();
  const heads = cluster && setInterval(() => {
    for (const [id, seq] of cluster.followedSeqs()) {
      if (socketsOf(id) === 0 || headSent.get(id) === seq) continue;
      headSent.set(id, seq);
      io.local.to(id).emit('head', { seq });
    }
    if (headSent.size > 2 * cluster.loaded) headSent.clear();
  }, CLIENT_HEAD_EVERY_MS);
  if (heads) heads.unref();
  metrics.observe({
    sockets: () => [...io.sockets.sockets.values()].map((s) => s.data),
    lecturesLoaded: () => lectures.loaded,
    ...(cluster ? { lecturesOwned: () => cluster.ownedCount, lecturesFollowed: () => options.cluster!.bus.followed } : {}),
  });
  const idleMs = options.idleLectureMs ?? DEFAULT_IDLE_LECTURE_MS;
  const evictIdleLectures = () => lectures.evictIdle(idleMs, (id) => socketsOf(id) > 0);
  const sweep = setInterval(evictIdleLectures, Math.min(60_000, idleMs));
  sweep.unref();
  return {
    server,
    io,
    registry,
    cluster,
    metrics,
    evictIdleLectures,
    async close() {
      clearInterval(sweep);
      if (heads) clearInterval(heads);
      await lectures.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
