/**
 * A cluster for one test file (issue 15): a throwaway PostgreSQL (one database) and a Redis of its
 * own, and N server processes (useChildServers) named A, B, C… each started with DATABASE_URL,
 * REDIS_URL and NODE_ID, which puts it in cluster mode. The file owns its PostgreSQL and Redis, so a
 * test may stop either without touching another file's. The nodes share one DATA_DIR, and so one
 * client-id key (an id one node issued is valid on every node, as in a real deployment). Everything
 * is stopped by its PID after the file, failed or not, and killed if the test process dies.
 */
import type { ChildProcess } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { clientIdKey } from '../../server/client-ids.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { useChildServers } from './child-server.js';
import { http, LectureClient } from './clients.js';
import type { LogLine } from './logs.js';
import { startPostgres, type PostgresServer } from './postgres.js';
import { startRedis, type RedisServer } from './redis.js';

/** One server process of the cluster; `url`, `pid` and `child` follow its restarts. */
export interface ClusterNode {
  /** Its NODE_ID: 'A', 'B', 'C'… */
  readonly id: string;
  /** Where it listens now (a new port after each start). */
  readonly url: string;
  /** Its PID now; undefined while it is stopped. */
  readonly pid: number | undefined;
  readonly child: ChildProcess;
  /** Whether the process is alive (a SIGSTOPped one is). */
  readonly running: boolean;
  /** The JSON lines its current process has written so far. */
  logs(): LogLine[];
  /** Sends a signal by PID (SIGSTOP, SIGCONT, SIGTERM…) and returns at once. */
  signal(signal: NodeJS.Signals): void;
  /** `kill -9`, resolved once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM, resolved once it has exited by itself; rejects (and kills it) if it takes longer than 20 s. */
  stop(): Promise<void>;
  /** Starts it again with the same NODE_ID (and `env` on top of the cluster's); resolves with its new URL. */
  start(env?: Record<string, string>): Promise<string>;
  /** Resolves once GET /api/ready answers 200 (it reaches PostgreSQL and Redis); rejects with the last answer after `timeoutMs`. */
  waitReady(timeoutMs?: number): Promise<void>;
}

export interface Cluster {
  readonly pg: PostgresServer;
  readonly redis: RedisServer;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly nodes: readonly ClusterNode[];
  /** Kills every node, Redis and PostgreSQL by PID (after the file by itself; safe to call twice). */
  close(): Promise<void>;
}

export interface ClusterOptions {
  /** How many server processes (default 3; at most 26, named A–Z). */
  readonly nodes?: number;
  /** More environment for every node (a shorter lease, a test hook). */
  readonly env?: Record<string, string>;
}

/** How long a node may take to exit after SIGTERM before the test says so. */
const STOP_TIMEOUT_MS = 20_000;

/**
 * Starts a cluster before the file's (or describe's) tests and closes it after them; call it at
 * the top level, as useServer. Its fields are there inside the tests.
 */
export function useCluster(options: ClusterOptions = {}): Cluster {
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > 26) throw new Error(`a cluster has 1 to 26 nodes; asked for ${count}`);
  const children = useChildServers('backprop-cluster-', { store: 'sqlite' });
  let started: Cluster | undefined;
  const live = new Set<ChildProcess>();
  // A test process that dies (a worker crash, a timeout) does not leave nodes behind.
  const killOnExit = () => {
    for (const c of live) c.kill('SIGKILL');
  };
  beforeAll(async () => {
    process.once('exit', killOnExit);
    // Made before any node starts: nodes starting together would race to create it.
    clientIdKey(children.dataDir);
    const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    try {
      const databaseUrl = await pg.createDatabase('backprop_cluster');
      const base = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, CREATE_KEY: 'off', ...options.env };
      const ids = Array.from({ length: count }, (_, i) => String.fromCharCode(65 + i));
      const nodes = ids.map((id) => clusterNode(id, (env) => children.start({ ...base, NODE_ID: id, ...env }), live));
      await Promise.all(nodes.map((n) => n.start()));
      started = { pg, redis, databaseUrl, redisUrl: redis.url, nodes, close: () => closeAll(nodes, redis, pg, killOnExit) };
    } catch (e) {
      killOnExit();
      await Promise.all([redis.close(), pg.stop()]);
      throw e;
    }
  });
  afterAll(async () => {
    await started?.close();
  });
  const running = (): Cluster => {
    if (!started) throw new Error('the cluster starts in beforeAll; use it inside a test');
    return started;
  };
  return {
    get pg() {
      return running().pg;
    },
    get redis() {
      return running().redis;
    },
    get databaseUrl() {
      return running().databaseUrl;
    },
    get redisUrl() {
      return running().redisUrl;
    },
    get nodes() {
      return running().nodes;
    },
    close: () => running().close(),
  };
}

type Spawn = (env?: Record<string, string>) => Promise<{ url: string; child: ChildProcess; logs(): LogLine[] }>;

/** A node whose process can be signalled, killed, stopped and started again under the same id. */
function clusterNode(id: string, spawnNode: Spawn, live: Set<ChildProcess>): ClusterNode {
  let current: Awaited<ReturnType<Spawn>> | undefined;
  const alive = () => current !== undefined && current.child.exitCode === null && current.child.signalCode === null;
  const now = () => {
    if (!current) throw new Error(`node ${id} has not started`);
    return current;
  };
  const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    id,
    get url() {
      return now().url;
    },
    get pid() {
      return alive() ? current!.child.pid : undefined;
    },
    get child() {
      return now().child;
    },
    get running() {
      return alive();
    },
    logs: () => now().logs(),
    signal(signal) {
      if (!alive()) throw new Error(`node ${id} is not running; cannot send ${signal}`);
      process.kill(current!.child.pid!, signal);
    },
    async kill9() {
      if (!alive()) return;
      const gone = exited(current!.child);
      process.kill(current!.child.pid!, 'SIGKILL');
      await gone;
    },
    async stop() {
      if (!alive()) return;
      const child = current!.child;
      const gone = exited(child);
      process.kill(child.pid!, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS)));
      const outcome = await Promise.race([gone, late]);
      clearTimeout(timer);
      if (outcome === 'late') {
        child.kill('SIGKILL');
        await gone;
        throw new Error(`node ${id} did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM (killed)`);
      }
    },
    async start(env) {
      if (alive()) throw new Error(`node ${id} is already running (pid ${current!.child.pid})`);
      current = await spawnNode(env);
      const child = current.child;
      live.add(child);
      child.once('exit', () => live.delete(child));
      return current.url;
    },
    async waitReady(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let last = 'no answer yet';
      while (Date.now() < deadline) {
        const answer = await http(now().url, 'GET', '/api/ready').catch((e: Error) => ({ status: 0, text: e.message }));
        if (answer.status === 200) return;
        last = `${answer.status} ${answer.text}`;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`node ${id} not ready within ${timeoutMs} ms: ${last}`);
    },
  };
}

async function closeAll(nodes: readonly ClusterNode[], redis: RedisServer, pg: PostgresServer, killOnExit: () => void): Promise<void> {
  await Promise.all(nodes.map((n) => n.kill9()));
  process.off('exit', killOnExit);
  await redis.close();
  await pg.stop();
}

/** Who owns a lecture now, as a node answers GET /api/lectures/:id/owner. */
export interface Ownership {
  readonly node: string | null;
  readonly since: number | null;
}

/** GET /api/lectures/:id/owner on one node; throws with the answer unless it is 200. */
export async function owner(url: string, lectureId: string): Promise<Ownership> {
  const answer = await http(url, 'GET', `/api/lectures/${encodeURIComponent(lectureId)}/owner`);
  if (answer.status !== 200) throw new Error(`GET owner of ${lectureId} at ${url}: ${answer.status} ${answer.text}`);
  return answer.json as Ownership;
}

/**
 * Resolves with the lecture's owner once `url` names one that `accept` takes (default: any node;
 * e.g. `(n) => n !== 'A'` after A was killed); rejects with the last answer after `timeoutMs`.
 */
export async function untilOwner(url: string, lectureId: string, accept: (node: string) => boolean = () => true, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: Ownership | string = 'no answer yet';
  while (Date.now() < deadline) {
    last = await owner(url, lectureId).catch((e: Error) => e.message);
    if (typeof last === 'object' && last.node !== null && accept(last.node)) return last.node;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no accepted owner of ${lectureId} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

/**
 * Resolves once the class has converged: GET /api/lectures/:id/state is the same on every node
 * given (the running ones of a cluster, say), and every student's own copy (frames applied to its
 * snapshot, as a browser does) equals it. Rejects after `timeoutMs` saying who differs and where.
 */
export async function converged(nodes: readonly Pick<ClusterNode, 'id' | 'url'>[], lectureId: string, students: readonly LectureClient[], timeoutMs = 5000): Promise<Snapshot> {
  const deadline = Date.now() + timeoutMs;
  let problem = 'not checked yet';
  for (;;) {
    const found = await convergence(nodes, lectureId, students);
    if (typeof found !== 'string') return found;
    problem = found;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`lecture ${lectureId} did not converge within ${timeoutMs} ms: ${problem}`);
}

/** The state everyone agrees on, or a sentence saying who does not. */
async function convergence(nodes: readonly Pick<ClusterNode, 'id' | 'url'>[], lectureId: string, students: readonly LectureClient[]): Promise<Snapshot | string> {
  if (nodes.length === 0) return 'no nodes given';
  const states = await Promise.all(
    nodes.map(async (n) => {
      const answer = await http(n.url, 'GET', `/api/lectures/${encodeURIComponent(lectureId)}/state`).catch((e: Error) => ({ status: 0, text: e.message, json: undefined }));
      return answer.status === 200 ? (answer.json as Snapshot) : `node ${n.id} answered ${answer.status} ${answer.text.slice(0, 200)}`;
    }),
  );
  const failed = states.find((s) => typeof s === 'string');
  if (failed !== undefined) return failed as string;
  const [reference, ...others] = states as Snapshot[];
  const otherNode = others.findIndex((s) => !isDeepStrictEqual(s, reference));
  if (otherNode >= 0) return `node ${nodes[otherNode + 1].id} (seq ${others[otherNode].seq}) differs from node ${nodes[0].id} (seq ${reference.seq})`;
  const behind = students.filter((s) => !isDeepStrictEqual(s.state, reference));
  if (behind.length > 0) {
    const seqs = behind.slice(0, 5).map((s) => s.state?.seq ?? 'no snapshot');
    return `${behind.length} of ${students.length} students differ from the nodes (seq ${reference.seq}); the first at seq ${seqs.join(', ')}`;
  }
  return reference;
}

/**
 * `count` students of a lecture spread over `nodes` round robin (student i on node i mod n), connected
 * `batch` at a time: a thousand handshakes at once would measure the test machine, not the cluster.
 */
export async function studentsOn(nodes: readonly Pick<ClusterNode, 'url'>[], lectureId: string, count: number, batch = 100): Promise<LectureClient[]> {
  const students: LectureClient[] = [];
  for (let first = 0; first < count; first += batch) {
    const size = Math.min(batch, count - first);
    students.push(...(await Promise.all(Array.from({ length: size }, (_, i) => LectureClient.connect(nodes[(first + i) % nodes.length].url, { lectureId })))));
  }
  return students;
}

/**
 * The sum of a metric's samples on a node's GET /metrics (Prometheus text), over the series whose
 * labels include every one of `labels` (e.g. { operation: 'events' }); 0 when it has none yet.
 */
export async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const answer = await http(url, 'GET', '/metrics');
  if (answer.status !== 200) throw new Error(`GET /metrics at ${url}: ${answer.status} ${answer.text.slice(0, 200)}`);
  let sum = 0;
  for (const line of answer.text.split('\n')) {
    const sample = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!sample || sample[1] !== name) continue;
    const has = (key: string, value: string) => (sample[2] ?? '').includes(`${key}="${value}"`);
    if (Object.entries(labels).every(([k, v]) => has(k, v))) sum += Number(sample[3]);
  }
  return sum;
}

/** The seqs from `first` to `last`, both included: what a student who missed nothing has seen. */
export function seqRange(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

/**
 * A student reconnecting to `node` with the seq it holds, as the browser's client does after its
 * node died or its connection dropped: the old socket closed, a new one with `lastSeq`, the copy it
 * held kept (a catch-up of frames applies to it; a snapshot replaces it).
 */
export async function reconnect(student: LectureClient, node: Pick<ClusterNode, 'url'>, lectureId: string): Promise<LectureClient> {
  student.close();
  const again = new LectureClient(node.url, { lectureId, lastSeq: student.state?.seq ?? 0 });
  // Set before the socket connects: the frames come after it.
  again.state = student.state;
  await new Promise<void>((resolve, reject) => {
    again.socket.once('connect', () => resolve());
    again.socket.once('connect_error', reject);
  });
  return again;
}
