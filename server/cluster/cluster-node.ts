import { randomBytes } from 'node:crypto';
import { parseIdentifiedCommand, type Command } from '../../shared/protocol/commands.js';
import type { FlagTarget } from '../../shared/protocol/collab.js';
import type { CreateLectureBody } from '../../shared/protocol/http.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import type { LectureState } from '../../shared/lecture/decider.js';
import { LectureRegistry } from '../lectures.js';
import type { CommandResult, LectureRoom, Outcome, RoomDeps } from '../lecture-room.js';
import type { LectureDirectory } from '../live-lecture.js';
import { lectureLog, log } from '../log.js';
import type { LectureRecord, LectureStore, StoredEvent } from '../ports.js';
import type { PostgresStore } from '../postgres-store.js';
import { tokenMatches } from '../ids.js';
import { waitAtMost } from '../time-bounds.js';
import type { OwnerRequestKind, OwnershipChange } from '../metrics.js';
import { ClusterBus } from './bus.js';
import { ClusterLecture, type LectureNode } from './cluster-lecture.js';
import { LeaseSession } from './lease.js';
import { OWNER_LOCK_NAMESPACE, ownerLockKey } from './lock-key.js';
import { parseMessage, type AnswerItem, type LiveMessage, type OwnerReply, type OwnerRequest } from './messages.js';
import { OwnerRequests } from './owner-requests.js';
import { LectureReplica } from './replica.js';

/** How often an owner says it lives (`head`), and how long a silent owner is given before a standby tries to take over. */
export const HEAD_EVERY_MS = 250;
const STALE_AFTER_MS = 600;
/** How long a request waits for the owner's "accepted" before it is sent again; then for its answer before it is sent again. */
const ACCEPT_WAIT_MS = 1_000;
const RESEND_EVERY_MS = 2_000;
/** Without an owner that accepts for this long, a command is refused (503) rather than left waiting. */
const MOVING_DEADLINE_MS = 5_000;
/** Answers are sent to the owner in batches, this often. */
const ANSWER_BATCH_MS = 100;
const ANSWER_BATCH_MAX = 500;
/** A lecture without sockets on this node, unused this long, leaves it (and is released if it was owned here). */
const UNUSED_AFTER_MS = 15_000;

const MOVING: CommandResult = { ok: false, status: 503, error: 'the lecture is moving to another server; try again in a few seconds', retryAfter: 2 };
const UNREACHABLE: CommandResult = { ok: false, status: 503, error: "this server cannot reach the lecture's server (Redis is unavailable); try again in a few seconds", retryAfter: 2 };

/** What a cluster node is given by createApp. */
export interface ClusterNodeOptions {
  /** The pool-backed store (reads, and writes no owner makes: uploads, lecture creation). */
  readonly store: PostgresStore;
  /** Wraps a store the node makes (the owner's, writing through its lease) as createApp wraps its own (timing it for /metrics). */
  readonly wrapStore: (store: LectureStore) => LectureStore;
  readonly bus: ClusterBus;
  readonly databaseUrl: string;
  readonly nodeId: string;
  readonly leaseTimeoutMs?: number;
  /** Everything a LectureRoom needs but its store. */
  readonly roomDeps: Omit<RoomDeps, 'store'>;
  readonly metrics?: ClusterMetrics;
}

/** What /metrics counts of the cluster (metrics.ts). */
export interface ClusterMetrics {
  ownershipChange(change: OwnershipChange): void;
  ownerRequest(kind: OwnerRequestKind): void;
  framePublished(): void;
}

/** A lecture this node owns: its room (writing through `session`), and the registry that opened it. */
interface Owned {
  readonly room: LectureRoom;
  readonly registry: LectureRegistry;
  readonly session: LeaseSession;
  readonly since: number;
  readonly unsubscribe: () => void;
}

type Request = OwnerRequest extends infer R ? (R extends OwnerRequest ? Omit<R, 'rid' | 'from'> : never) : never;

/**
 * One process of a cluster (DATABASE_URL and REDIS_URL both set): it serves any lecture's sockets
 * and HTTP from a replica of the lecture, and owns some lectures: for those it runs the
 * LectureRoom (decide → commit through its lease → publish). PostgreSQL decides who owns what (an
 * advisory lock per lecture on the node's lease session); Redis carries commands to the owner and
 * what the owner publishes to every node with sockets of the lecture. docs/architecture.md
 * ("Many nodes") tells the whole story.
 */
export class ClusterNode implements LectureDirectory<ClusterLecture>, LectureNode {
  private session: LeaseSession | null = null;
  private opening: Promise<LeaseSession> | null = null;
  /** The registry of the current lease session: the rooms of the lectures owned through it. */
  private owners: LectureRegistry | null = null;
  /** Reads lectures from the store (a replica's start, a non-owner's export) without opening rooms that write. */
  private readonly reader: LectureRegistry;
  /** The pool-backed store, timed for /metrics: what replicas read (a gap, a catch-up older than their recent frames) is counted. */
  private readonly timedStore: LectureStore;
  private readonly lectures = new Map<string, ClusterLecture>();
  private readonly loading = new Map<string, Promise<ClusterLecture | undefined>>();
  private readonly owned = new Map<string, Owned>();
  private readonly acquiring = new Map<string, Promise<boolean>>();
  private readonly requests = new OwnerRequests();
  private readonly batches = new Map<string, { items: AnswerItem[]; done: ((o: Outcome) => void)[] }>();
  /** Requests being served for other nodes: awaited on shutdown, so their answers go out. */
  private readonly serving = new Set<Promise<void>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private socketsOf: (id: string) => number = () => 0;
  private closing = false;

  constructor(private readonly options: ClusterNodeOptions) {
    const { store, wrapStore, roomDeps, bus } = options;
    this.timedStore = wrapStore(store);
    this.reader = new LectureRegistry({ ...roomDeps, store: this.timedStore });
    bus.onReply((text) => this.requests.received(parseMessage<OwnerReply>(text)));
    this.every(HEAD_EVERY_MS, () => this.publishHeads());
    this.every(50, () => this.standBy());
    this.every(5_000, () => this.leaveUnused());
  }

  get instance(): string {
    return this.options.bus.instance;
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** How many sockets this process has of a lecture (socket.io's rooms): a standby is a node with sockets. */
  countSocketsWith(count: (id: string) => number): void {
    this.socketsOf = count;
  }

  newCommandId(): string {
    return `node-${randomBytes(12).toString('base64url')}`;
  }

  // ---- LectureDirectory

  async create(body: CreateLectureBody): Promise<{ room: ClusterLecture; token: string }> {
    const session = await this.leaseSession();
    const registry = this.owners;
    if (!registry) throw new Error('the lease session ended while creating the lecture');
    const { room, token } = await registry.create(body);
    // Nobody knows the code yet: the lock is free.
    if (!(await session.tryLock(room.id))) throw new Error(`lecture ${room.id} was created, but another node holds its lock`);
    await this.recordOwner(session, room.id);
    const lecture = await this.get(room.id);
    if (!lecture) throw new Error(`lecture ${room.id} was created but cannot be read back`);
    this.own(room.id, room, registry, session, lecture);
    // Not held up by Redis being away: the subscription completes when it is back (the lock already says who owns it).
    await waitAtMost(this.options.bus.serveCommands(room.id, (text) => this.serve(room.id, text)), 1_000);
    return { room: lecture, token };
  }

  async get(id: string): Promise<ClusterLecture | undefined> {
    const known = this.inMemory(id);
    if (known) return known;
    let loading = this.loading.get(id);
    if (!loading) {
      loading = this.open(id).finally(() => this.loading.delete(id));
      this.loading.set(id, loading);
    }
    return loading;
  }

  inMemory(id: string): ClusterLecture | undefined {
    const lecture = this.lectures.get(id);
    lecture?.touch();
    return lecture;
  }

  isInstructor(lecture: ClusterLecture, token: string): boolean {
    return tokenMatches(token, lecture.record.tokenHash);
  }

  datasetProblem(lecture: ClusterLecture, command: Command): Promise<string | null> {
    return this.reader.datasetProblem(lecture, command);
  }

  initialSnapshot(record: LectureRecord): Snapshot {
    return this.reader.initialSnapshot(record);
  }

  loadTexts(events: Iterable<StoredEvent>): Promise<void> {
    return this.reader.loadTexts(events);
  }

  /** The sweep of createApp: lectures here leave by leaveUnused (their node may still own them). */
  evictIdle(): number {
    return 0;
  }

  get loaded(): number {
    return this.lectures.size;
  }

  /** The lectures this node follows, with the seq its replica holds (for the `head` its sockets are sent). */
  *followedSeqs(): Iterable<[string, number]> {
    for (const [id, lecture] of this.lectures) yield [id, lecture.seq];
  }

  /** How many lectures this node owns now. */
  get ownedCount(): number {
    return this.owned.size;
  }

  /**
   * A graceful hand-over (SIGTERM): trainings are stopped and committed, what is under way is
   * answered, then every lecture is released and the others told, so a standby takes each at once.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all([...this.owned.values()].map((o) => o.room.stopTraining()));
    await waitAtMost(Promise.all([...this.owned.values()].map((o) => o.room.settled())), 5_000);
    await waitAtMost(Promise.all([...this.serving]), 5_000);
    await Promise.all([...this.owned.keys()].map((id) => this.release(id)));
    await this.session?.close();
  }

  // ---- What a lecture asks of its node (LectureNode)

  command(lectureId: string, command: Command, commandId: string): Promise<CommandResult> {
    return this.toOwner<CommandResult>(lectureId, { k: 'command', commandId, command }, async (owned) => {
      const result = await owned.room.command(command, () => owned.registry.datasetProblem(owned.room, command), undefined, commandId);
      return !result.ok && !owned.session.open ? 'lost' : result;
    });
  }

  /** An answer joins the lecture's next batch to the owner (one message, one multi-row write there). */
  answer(lectureId: string, clientId: string, value: number, address: string, maxPerAddress: number): Promise<Outcome> {
    return new Promise((resolve) => {
      let batch = this.batches.get(lectureId);
      if (!batch) {
        batch = { items: [], done: [] };
        this.batches.set(lectureId, batch);
        setTimeout(() => void this.sendAnswers(lectureId), ANSWER_BATCH_MS);
      }
      batch.items.push({ clientId, value, address, maxPerAddress: Number.isFinite(maxPerAddress) ? maxPerAddress : 1e9 });
      batch.done.push(resolve);
      if (batch.items.length >= ANSWER_BATCH_MAX) void this.sendAnswers(lectureId);
    });
  }

  flag(lectureId: string, clientId: string, target: FlagTarget, on: boolean): Promise<Outcome> {
    return this.toOwner<Outcome>(lectureId, { k: 'flag', clientId, target, on }, async (owned) => {
      const outcome = await owned.room.flag(clientId, target, on);
      return !outcome.ok && !owned.session.open ? 'lost' : outcome;
    });
  }

  async fullState(lectureId: string): Promise<LectureState> {
    const owned = this.owned.get(lectureId);
    if (owned) return owned.room.state;
    const stored = await this.reader.read(lectureId);
    if (!stored) throw new Error(`lecture ${lectureId} is not in the store`);
    return stored.state;
  }

  /** The node that owns a lecture now, as PostgreSQL says (the holder of its lock), and since when. */
  async ownerOf(lectureId: string): Promise<{ node: string | null; since: number | null }> {
    const { rows } = await this.options.store.query<{ node: string; since: number }>(
      `SELECT o.node, o.since FROM lecture_owners o
         JOIN pg_locks l ON l.pid = o.pid AND l.locktype = 'advisory' AND l.granted AND l.classid = $2 AND l.objid = $3 AND l.objsubid = 2
        WHERE o.lecture_id = $1`,
      [lectureId, OWNER_LOCK_NAMESPACE, ownerLockKey(lectureId)],
    );
    return rows[0] ? { node: rows[0].node, since: Number(rows[0].since) } : { node: null, since: null };
  }

  /** Resolves when PostgreSQL and Redis both answer (GET /api/ready). */
  async ping(): Promise<void> {
    await Promise.all([this.options.store.ping(), this.options.bus.ping()]);
  }

  // ---- Ownership

  private async leaseSession(): Promise<LeaseSession> {
    if (this.session?.open) return this.session;
    this.opening ??= (async () => {
      const session = await LeaseSession.open({ connectionString: this.options.databaseUrl, nodeId: this.options.nodeId, timeoutMs: this.options.leaseTimeoutMs });
      session.onLost((reason) => this.sessionLost(session, reason));
      this.session = session;
      this.owners = new LectureRegistry({ ...this.options.roomDeps, store: this.options.wrapStore(this.options.store.writingThrough(session)) });
      return session;
    })().finally(() => (this.opening = null));
    return this.opening;
  }

  /** Every lecture owned through a lost session is lost with it (PostgreSQL has freed their locks). */
  private sessionLost(session: LeaseSession, reason: string): void {
    if (this.session === session) {
      this.session = null;
      this.owners = null;
    }
    const lost = [...this.owned].filter(([, o]) => o.session === session);
    if (lost.length) log.error({ lectures: lost.map(([id]) => id), reason }, `this node lost its PostgreSQL lease (${reason}); ${lost.length} lecture(s) move to other nodes`);
    for (const [id, owned] of lost) this.disown(id, owned, 'lost');
  }

  /** Takes a lecture that has no owner (one attempt at a time per lecture); true when this node owns it now. */
  private acquire(id: string): Promise<boolean> {
    if (this.owned.has(id)) return Promise.resolve(true);
    if (this.closing) return Promise.resolve(false);
    let attempt = this.acquiring.get(id);
    if (!attempt) {
      attempt = this.tryAcquire(id).finally(() => this.acquiring.delete(id));
      this.acquiring.set(id, attempt);
    }
    return attempt;
  }

  private async tryAcquire(id: string): Promise<boolean> {
    const session = await this.leaseSession();
    if (!(await session.tryLock(id))) return false;
    try {
      const registry = this.owners;
      if (!registry || !session.open) return false;
      await this.recordOwner(session, id);
      // Opened now, after the lock: the previous owner can commit nothing more, so the store has all of it.
      registry.forget(id);
      const room = await registry.get(id);
      const lecture = await this.get(id);
      if (!room || !lecture || !session.open) throw new Error(`lecture ${id} could not be opened`);
      this.own(id, room, registry, session, lecture);
      await waitAtMost(this.options.bus.serveCommands(id, (text) => this.serve(id, text)), 1_000);
      // What the previous owner committed and did not live to publish.
      lecture.replica.head(room.seq);
      this.publish(id, session, { t: 'head', from: this.instance, node: this.nodeId, seq: room.seq });
      return true;
    } catch (err) {
      log.error({ err, lectureId: id }, 'taking over a lecture failed; it is let go for another node');
      this.owned.delete(id);
      await session.unlock(id).catch(() => undefined);
      return false;
    }
  }

  private recordOwner(session: LeaseSession, id: string): Promise<unknown> {
    return session.query(
      `INSERT INTO lecture_owners (lecture_id, node, pid, since) VALUES ($1, $2, $3, $4)
       ON CONFLICT (lecture_id) DO UPDATE SET node = excluded.node, pid = excluded.pid, since = excluded.since`,
      [id, this.nodeId, session.pid, Date.now()],
    );
  }

  /** Runs a lecture here: its room's frames feed this node's replica at once and go to every other node through Redis. */
  private own(id: string, room: LectureRoom, registry: LectureRegistry, session: LeaseSession, lecture: ClusterLecture): void {
    const { replica } = lecture;
    const publish = (message: LiveMessage) => this.publish(id, session, message);
    const from = this.instance;
    const unsubscribe = room.subscribe({
      frame: (frame) => {
        replica.offerFrame(frame);
        // After a commit through the lease: the lecture was ours when it was written.
        publish({ t: 'frame', from, frame });
        this.options.metrics?.framePublished();
      },
      progress: (progress) => {
        // Not backed by a commit: only while the lease is known to be ours (a process woken from a stop is silent).
        if (!session.verified) return;
        replica.progress(progress);
        publish({ t: 'progress', from, progress });
      },
      predictionUpdate: (update) => {
        replica.predictionUpdated(update);
        publish({ t: 'update', from, update });
      },
      predictionReveal: (reveal) => {
        replica.predictionRevealed(reveal);
        publish({ t: 'reveal', from, reveal });
      },
      flags: (flags) => {
        replica.flagsChanged(flags);
        publish({ t: 'flags', from, flags });
      },
    });
    this.owned.set(id, { room, registry, session, since: Date.now(), unsubscribe });
    this.options.metrics?.ownershipChange('acquired');
    room.log.info({ node: this.nodeId }, `this node owns lecture ${id} now`);
  }

  private disown(id: string, owned: Owned, change: 'released' | 'lost'): void {
    if (this.owned.get(id) !== owned) return;
    this.owned.delete(id);
    owned.unsubscribe();
    owned.registry.forget(id);
    void owned.room.stopTraining();
    void this.options.bus.stopServing(id);
    this.options.metrics?.ownershipChange(change);
  }

  /** Lets a lecture go on purpose: no more commands here, the lock freed, the others told. */
  private async release(id: string): Promise<void> {
    const owned = this.owned.get(id);
    if (!owned) return;
    this.disown(id, owned, 'released');
    await owned.session.unlock(id).catch(() => undefined);
    await this.options.bus.publishLive(id, { t: 'released', from: this.instance }).catch(() => undefined);
  }

  private publish(id: string, session: LeaseSession, message: LiveMessage): void {
    if (!session.open) return;
    this.options.bus.publishLive(id, message).catch((err: Error) => log.debug({ err: err.message, lectureId: id }, 'a live message was not published (Redis); replicas catch up through head'));
  }

  private publishHeads(): void {
    for (const [id, owned] of this.owned) {
      if (owned.session.verified) this.publish(id, owned.session, { t: 'head', from: this.instance, node: this.nodeId, seq: owned.room.seq });
    }
  }

  /** A node with sockets of a lecture whose owner has gone silent tries to take it, with jitter (PostgreSQL picks one). */
  private standBy(): void {
    if (this.closing) return;
    const now = performance.now();
    for (const [id, lecture] of this.lectures) {
      if (this.owned.has(id) || this.acquiring.has(id) || this.socketsOf(id) === 0) continue;
      if (now - lecture.replica.lastHeard < STALE_AFTER_MS || now < lecture.nextTry) continue;
      lecture.nextTry = now + 100 + Math.random() * 200;
      void this.acquire(id).catch((err: unknown) => log.warn({ err, lectureId: id }, 'a standby could not take the lecture yet'));
    }
  }

  /** Lectures without sockets here, unused for a while, leave the node: it stops following them, and releases them if it owns them. */
  private leaveUnused(): void {
    const now = Date.now();
    for (const [id, lecture] of this.lectures) {
      if (this.socketsOf(id) > 0 || now - lecture.lastUsed < UNUSED_AFTER_MS) continue;
      const owned = this.owned.get(id);
      if (owned?.room.busy) continue;
      this.lectures.delete(id);
      lecture.replica.dispose();
      void this.options.bus.unfollowLive(id);
      if (owned) void this.release(id);
    }
  }

  // ---- Requests between nodes

  /**
   * Runs a request where the lecture's owner is: here (`local`), or on the owner over Redis, sent
   * again until it is answered (a retry is safe: commands carry their id, answers and flags are
   * idempotent). No receiver means no owner: this node tries to take the lecture. Refused with 503
   * when no owner has accepted it for MOVING_DEADLINE_MS.
   */
  private async toOwner<R>(id: string, request: Request, local: (owned: Owned) => Promise<R | 'lost'>): Promise<R> {
    const started = performance.now();
    let accepted = false;
    let redisDown = false;
    for (let attempt = 0; ; attempt++) {
      const owned = this.owned.get(id);
      if (owned && owned.session.open) {
        const result = await local(owned);
        if (result !== 'lost') return result;
        continue;
      }
      if (!accepted && performance.now() - started > MOVING_DEADLINE_MS) return (redisDown ? UNREACHABLE : MOVING) as R;
      const { rid, replies } = this.requests.start();
      let receivers: number;
      try {
        this.options.metrics?.ownerRequest(request.k);
        receivers = await this.options.bus.toOwner(id, { ...request, rid, from: this.instance });
      } catch {
        receivers = -1;
      }
      redisDown = receivers < 0;
      if (receivers <= 0) {
        replies.close();
        // No owner (0), or Redis unreachable (-1): take the lecture if it is free, else wait a little.
        const taken = receivers === 0 && !this.closing && (await this.acquire(id).catch(() => false));
        if (!taken) await sleep(50 + Math.random() * 150 + Math.min(attempt, 10) * 20);
        continue;
      }
      let reply = await replies.next(accepted ? RESEND_EVERY_MS : ACCEPT_WAIT_MS);
      while (reply?.k === 'accepted') {
        accepted = true;
        reply = await replies.next(RESEND_EVERY_MS);
      }
      replies.close();
      if (reply?.k === 'done') return reply.result as R;
      // No answer in time, or the owner lost the lecture meanwhile: ask again, whoever owns it now.
      // A receiver that never accepts may be a frozen owner whose lease PostgreSQL has ended: take it if it is free.
      if (reply === null && !accepted && !this.closing) await this.acquire(id).catch(() => false);
    }
  }

  /** A request on the command channel of a lecture this node owns. */
  private serve(id: string, text: string): void {
    const request = parseMessage<OwnerRequest>(text);
    if (!request || typeof request.rid !== 'string' || typeof request.from !== 'string') return;
    // In use, though its sockets are on other nodes: an owner does not let go of a lecture it is serving.
    this.lectures.get(id)?.touch();
    const reply = (message: OwnerReply) => this.options.bus.reply(request.from, message).catch(() => undefined);
    const served = (async () => {
      const owned = this.owned.get(id);
      if (!owned || !owned.session.open) return void reply({ rid: request.rid, k: 'retry' });
      void reply({ rid: request.rid, k: 'accepted' });
      const result = await this.runRequest(owned, request);
      void reply(!owned.session.open ? { rid: request.rid, k: 'retry' } : { rid: request.rid, k: 'done', result });
    })().catch((err: unknown) => {
      log.error({ err, lectureId: id }, 'serving a request from another node failed');
      void reply({ rid: request.rid, k: 'done', result: { ok: false, status: 500, error: 'internal error' } });
    });
    this.serving.add(served);
    void served.finally(() => this.serving.delete(served));
  }

  private async runRequest(owned: Owned, request: OwnerRequest): Promise<CommandResult | Outcome | Outcome[]> {
    const { room, registry } = owned;
    switch (request.k) {
      case 'command': {
        // Checked again here: what arrives on the bus is not trusted blindly.
        const parsed = parseIdentifiedCommand({ ...request.command, commandId: request.commandId });
        if (!parsed.ok) return { ok: false, status: 400, error: parsed.error };
        const { command, commandId } = parsed.value;
        return room.command(command, () => registry.datasetProblem(room, command), undefined, commandId);
      }
      case 'answers':
        return room.submitAnswers(Array.isArray(request.items) ? request.items : []);
      case 'flag':
        return room.flag(String(request.clientId), request.target, request.on === true);
      default:
        return { ok: false, status: 400, error: 'unknown request' };
    }
  }

  private async sendAnswers(lectureId: string): Promise<void> {
    const batch = this.batches.get(lectureId);
    if (!batch) return;
    this.batches.delete(lectureId);
    let outcomes: readonly Outcome[] | Outcome;
    try {
      outcomes = await this.toOwner<readonly Outcome[] | Outcome>(lectureId, { k: 'answers', items: batch.items }, async (owned) => {
        const results = await owned.room.submitAnswers(batch.items);
        return !owned.session.open && results.some((r) => !r.ok) ? 'lost' : results;
      });
    } catch (err) {
      log.error({ err, lectureId }, 'answers could not be sent to the lecture\'s owner');
      outcomes = { ok: false, status: 500, error: 'internal error' };
    }
    batch.done.forEach((done, i) => done(Array.isArray(outcomes) ? (outcomes[i] ?? { ok: false, status: 500, error: 'no answer' }) : (outcomes as Outcome)));
  }

  // ---- Following lectures

  /** Follows a lecture's live channel first, then reads it from the store, then applies what arrived meanwhile. */
  private async open(id: string): Promise<ClusterLecture | undefined> {
    // A code nobody created (a guess) costs one query, not a subscription.
    if (!(await this.options.store.getLecture(id))) return undefined;
    const early: string[] = [];
    let lecture: ClusterLecture | null = null;
    const following = this.options.bus.followLive(id, (text) => (lecture ? lecture.receive(text) : early.push(text)));
    // Not held up for long by Redis being away: the subscription completes when it is back, and head fills the gap.
    await waitAtMost(following, 1_000);
    try {
      const stored = await this.reader.read(id);
      if (!stored) {
        void this.options.bus.unfollowLive(id);
        return undefined;
      }
      const replica = new LectureReplica(stored, this.timedStore, lectureLog(id), this.options.roomDeps.metrics);
      lecture = new ClusterLecture(this, stored.record, replica);
      for (const text of early) lecture.receive(text);
      this.lectures.set(id, lecture);
      return lecture;
    } catch (err) {
      void this.options.bus.unfollowLive(id);
      throw err;
    }
  }

  private every(ms: number, run: () => void): void {
    const timer = setInterval(() => {
      try {
        run();
      } catch (err) {
        log.error({ err }, 'a cluster timer failed');
      }
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
