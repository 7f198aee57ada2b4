/**
 * What an operator scrapes at GET /metrics (Prometheus text format, prom-client): sockets by role,
 * lectures in memory, commands and their latency, frames, catch-ups, the store's latency, and
 * prom-client's process metrics (CPU, memory, event-loop delay). Every series carries the node's id
 * (`node`). Label values come only from fixed lists in the code (command types, roles, store
 * operations), never from what a user sent: a lecture id or a title as a label would make one
 * series per lecture, without bound.
 */
import type { ClusterMetrics } from './cluster/cluster-node.js';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { COMMAND_TYPES, type CommandType } from '../shared/protocol/commands.js';
import type { SocketData } from '../shared/protocol/socket.js';
import { sameSecret } from './guards.js';
import type { CommandResult } from './lecture-room.js';
import type { LectureStore } from './ports.js';

export const SOCKET_ROLES = ['instructor', 'student', 'projector'] as const;
export type SocketRole = (typeof SOCKET_ROLES)[number];

/** Where a catch-up's frames came from: the room's recent frames, the store, or a snapshot instead. */
export const CATCH_UP_KINDS = ['memory', 'store', 'snapshot'] as const;
export type CatchUpKind = (typeof CATCH_UP_KINDS)[number];

/** A command's answer: applied, a repeat of an applied command id, refused (4xx), or failed (5xx, or threw). */
export const COMMAND_OUTCOMES = ['applied', 'repeat', 'refused', 'failed'] as const;
export type CommandOutcome = (typeof COMMAND_OUTCOMES)[number];

/** The store's operations that are timed (every promise of the port; eventsJson streams, close ends). */
export const STORE_OPERATIONS = [
  'createLecture',
  'getLecture',
  'listLectures',
  'appendEvent',
  'findCommand',
  'events',
  'attachTrainingResult',
  'putKeyframe',
  'latestKeyframe',
  'saveAnswer',
  'saveAnswers',
  'answers',
  'setFlag',
  'flags',
  'putDataset',
  'forgetUnusedDataset',
  'datasetText',
  'createNarrationTake',
  'putNarrationChunk',
  'narration',
  'narrationChunkData',
  'narrationBytes',
  'deleteNarration',
  'ping',
] as const satisfies readonly (keyof LectureStore)[];
export type StoreOperation = (typeof STORE_OPERATIONS)[number];

/** A command's latency, from its arrival at the room to its answer: a training's lasts as long as it trains. */
const COMMAND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60];
const STORE_BUCKETS = [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5];

/** What the counters cannot see by themselves, read at each scrape. */
export interface MetricSources {
  /** The data of every admitted socket. */
  sockets(): Iterable<SocketData | undefined>;
  /** Lectures in memory. */
  lecturesLoaded(): number;
  /** Cluster mode: lectures this node owns (holds the lock of). */
  lecturesOwned?(): number;
  /** Cluster mode: lectures whose live channel this node follows (it has sockets of them). */
  lecturesFollowed?(): number;
}

/** How a node's ownership of a lecture changed (backprop_ownership_changes_total's label). */
export const OWNERSHIP_CHANGES = ['acquired', 'released', 'lost'] as const;
export type OwnershipChange = (typeof OWNERSHIP_CHANGES)[number];
/** What a node asks of another that owns a lecture (backprop_owner_requests_total's label). */
export const OWNER_REQUESTS = ['command', 'answers', 'flag'] as const;
export type OwnerRequestKind = (typeof OWNER_REQUESTS)[number];

/** The part LectureRoom counts with (RoomDeps.metrics). */
export interface RoomMetrics {
  commandTimer(type: string): (result: CommandResult | undefined) => void;
  catchUp(kind: CatchUpKind): void;
}

/** The part the broadcasts count with. */
export interface FrameMetrics {
  frameBroadcast(deliveredTo: number): void;
}

/** A command's type as a label: one of COMMAND_TYPES (parsing guarantees it; anything else would read `other`). */
export function commandTypeLabel(type: string): CommandType | 'other' {
  return (COMMAND_TYPES as readonly string[]).includes(type) ? (type as CommandType) : 'other';
}

export function commandOutcome(result: CommandResult | undefined): CommandOutcome {
  if (!result) return 'failed';
  if (result.ok) return result.repeat ? 'repeat' : 'applied';
  return result.status >= 500 ? 'failed' : 'refused';
}

/** A socket's role as counted: a projector display is a student socket that is nobody. */
export function socketRole(data: SocketData): SocketRole {
  if (data.role === 'instructor') return 'instructor';
  return data.display === 'projector' ? 'projector' : 'student';
}

let processRegistry: Registry | undefined;

/**
 * prom-client's process metrics (CPU, memory, handles, GC, event-loop delay), once per process:
 * they describe the process, and each collection starts its own event-loop monitor, so the many
 * servers a test file starts share one.
 */
function processMetrics(node: string): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    processRegistry.setDefaultLabels({ node });
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** One server's metrics: its counters, and its gauges read from `observe`'s sources at each scrape. */
export class ServerMetrics implements RoomMetrics, FrameMetrics, ClusterMetrics {
  private readonly registry = new Registry();
  private sources: MetricSources | undefined;
  private readonly commands: Counter<'type' | 'outcome'>;
  private readonly commandSeconds: Histogram<'type' | 'outcome'>;
  private readonly framesBroadcast: Counter;
  private readonly framesDelivered: Counter;
  private readonly catchUps: Counter<'kind'>;
  private readonly storeSeconds: Histogram<'operation' | 'outcome'>;
  private readonly ownershipChanges: Counter<'change'>;
  private readonly ownerRequests: Counter<'request'>;
  private readonly framesPublished: Counter;

  constructor(readonly node: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node });
    const metrics = this;
    new Gauge({
      name: 'backprop_sockets',
      help: 'Open sockets by role (instructor, student, projector).',
      labelNames: ['role'],
      registers,
      collect() {
        const counts = new Map<SocketRole, number>(SOCKET_ROLES.map((r) => [r, 0]));
        for (const data of metrics.sources?.sockets() ?? []) if (data) counts.set(socketRole(data), counts.get(socketRole(data))! + 1);
        for (const [role, n] of counts) this.set({ role }, n);
      },
    });
    new Gauge({
      name: 'backprop_lectures_loaded',
      help: 'Lectures in memory on this node.',
      registers,
      collect() {
        this.set(metrics.sources?.lecturesLoaded() ?? 0);
      },
    });
    this.commands = new Counter({ name: 'backprop_commands_total', help: 'Commands answered, by type and outcome (applied, repeat, refused, failed).', labelNames: ['type', 'outcome'], registers });
    this.commandSeconds = new Histogram({ name: 'backprop_command_duration_seconds', help: 'From a command\'s arrival at its lecture to its answer (a training: until it is committed).', labelNames: ['type', 'outcome'], buckets: COMMAND_BUCKETS, registers });
    this.framesBroadcast = new Counter({ name: 'backprop_frames_broadcast_total', help: 'Frames sent to a lecture\'s room (one per committed event).', registers });
    this.framesDelivered = new Counter({ name: 'backprop_frames_delivered_total', help: 'Frames sent to sockets (each broadcast times the sockets in the room).', registers });
    this.catchUps = new Counter({ name: 'backprop_catch_ups_total', help: 'Catch-ups answered (a reconnect with lastSeq, or sync), by where they came from.', labelNames: ['kind'], registers });
    this.storeSeconds = new Histogram({ name: 'backprop_store_duration_seconds', help: 'Store operations, by operation and outcome (ok, error).', labelNames: ['operation', 'outcome'], buckets: STORE_BUCKETS, registers });
    new Gauge({
      name: 'backprop_lectures_owned',
      help: 'Lectures this node owns (cluster mode: it holds their lock and applies their commands).',
      registers,
      collect() {
        this.set(metrics.sources?.lecturesOwned?.() ?? metrics.sources?.lecturesLoaded() ?? 0);
      },
    });
    new Gauge({
      name: 'backprop_lectures_followed',
      help: 'Lectures whose live channel this node follows (cluster mode: it has sockets of them).',
      registers,
      collect() {
        this.set(metrics.sources?.lecturesFollowed?.() ?? 0);
      },
    });
    this.ownershipChanges = new Counter({ name: 'backprop_ownership_changes_total', help: 'Lectures this node took (acquired), let go (released) or lost with its lease (lost).', labelNames: ['change'], registers });
    this.ownerRequests = new Counter({ name: 'backprop_owner_requests_total', help: 'Requests this node sent to another node that owns the lecture (command, answers, flag), retries included.', labelNames: ['request'], registers });
    this.framesPublished = new Counter({ name: 'backprop_frames_published_total', help: 'Frames this node published to the other nodes (Redis) as a lecture\'s owner.', registers });
    // Every labelled series from the start, at zero: a rate over a series that appears late misses its first increase.
    for (const kind of CATCH_UP_KINDS) this.catchUps.inc({ kind }, 0);
    for (const change of OWNERSHIP_CHANGES) this.ownershipChanges.inc({ change }, 0);
    for (const request of OWNER_REQUESTS) this.ownerRequests.inc({ request }, 0);
  }

  /** Where the gauges read sockets and lectures (the socket.io server exists after the routes). */
  observe(sources: MetricSources): void {
    this.sources = sources;
  }

  ownershipChange(change: OwnershipChange): void {
    this.ownershipChanges.inc({ change });
  }

  ownerRequest(request: OwnerRequestKind): void {
    this.ownerRequests.inc({ request });
  }

  framePublished(): void {
    this.framesPublished.inc();
  }

  commandTimer(type: string): (result: CommandResult | undefined) => void {
    const started = performance.now();
    return (result) => {
      const labels = { type: commandTypeLabel(type), outcome: commandOutcome(result) };
      this.commands.inc(labels);
      this.commandSeconds.observe(labels, (performance.now() - started) / 1000);
    };
  }

  catchUp(kind: CatchUpKind): void {
    this.catchUps.inc({ kind });
  }

  frameBroadcast(deliveredTo: number): void {
    this.framesBroadcast.inc();
    this.framesDelivered.inc(deliveredTo);
  }

  /** Times one store operation; call the result with its outcome. */
  storeTimer(operation: StoreOperation): (outcome: 'ok' | 'error') => void {
    const started = performance.now();
    return (outcome) => this.storeSeconds.observe({ operation, outcome }, (performance.now() - started) / 1000);
  }

  /** The text an operator scrapes: this server's metrics, then the process's. */
  async text(): Promise<string> {
    return (await this.registry.metrics()) + (await processMetrics(this.node).metrics());
  }
}

/**
 * The store with each operation timed into `metrics` (an object whose prototype is the store, as
 * test-hooks.ts wraps it), so every caller's reads and writes are counted in one place.
 */
export function timedStore(store: LectureStore, metrics: ServerMetrics): LectureStore {
  const timed: LectureStore = Object.create(store);
  const methods = timed as unknown as Record<StoreOperation, (...args: unknown[]) => Promise<unknown>>;
  for (const operation of STORE_OPERATIONS) {
    methods[operation] = async (...args) => {
      const done = metrics.storeTimer(operation);
      try {
        // Looked up at each call, not bound once: whoever holds the store may wrap a method later.
        const result = await (store[operation] as (...args: unknown[]) => Promise<unknown>).apply(store, args);
        done('ok');
        return result;
      } catch (e) {
        done('error');
        throw e;
      }
    };
  }
  return timed;
}

/**
 * GET /metrics for operators: with a token (METRICS_TOKEN) only for `Authorization: Bearer
 * <token>`, compared in constant time; never cached.
 */
export function metricsRoute(metrics: ServerMetrics, token?: string): RequestHandler {
  return async (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (token !== undefined) {
      const given = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
      if (given === undefined || !sameSecret(given, token)) {
        res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('metrics need Authorization: Bearer <METRICS_TOKEN>\n');
        return;
      }
    }
    res.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.text());
  };
}
