/**
 * The cluster (issue 15, `npm run bench -- --cluster`): three nodes of our server over one
 * throwaway PostgreSQL and one Redis, N raw students on each, the instructor on the lecture's
 * owner; beside them, the same server alone on PostgreSQL with N students (the baseline). Commands
 * go in blocks, a block to the cluster then a block to the baseline, so the machine's noise falls on
 * both alike and each block's PostgreSQL and Redis CPU belongs to one of them.
 *
 * Per frame: whether every student on every node got it (missing), the latency to the last student
 * of each node, and the CPU each process spent on it, read from outside as the sum of its threads'
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds, so blocks of a few dozen frames resolve; /proc's
 * utime has 10 ms ticks), less what the process spends when no command runs (the head to every
 * student every few seconds, heartbeats, pings, presence), measured in a quiet window before the
 * blocks and one after them. An edge's CPU per frame is the cost of receiving it from Redis and
 * sending it to its N students. Then the owner's and the baseline's students leave (the edges keep
 * theirs) and the blocks run again: the owner's CPU per frame less the baseline's is the publisher
 * overhead, what being the owner in a cluster adds to deciding and committing a command (the
 * publish, the lease connection, the replicas' bookkeeping), with no fan-out on either side to
 * drown it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { startRedis, type RedisServer } from '../test/support/redis.js';
import type { PostgresServer } from '../test/support/postgres.js';
import { Generators } from './lib/generators.js';
import { postgresCpuMs, withPostgres } from './lib/postgres.js';
import { machineCpu, now, sleep } from './lib/proc.js';
import { RawClient } from './lib/raw-client.js';
import { max, mean, round, summarize, table, type Summary } from './lib/stats.js';
import { createLecture, startTarget, type Target } from './lib/targets.js';

export interface ClusterOptions {
  /** Students on each node (and on the baseline). */
  readonly studentsPerNode: number;
  readonly nodes: number;
  /** Blocks of STEPS_PER_BLOCK commands to each of the cluster and the baseline. */
  readonly reps: number;
  readonly generators?: number;
  /** Directory for V8 CPU profiles of the nodes and the baseline (node --cpu-prof), one file per process. */
  readonly cpuProfDir?: string;
}

/** One process's cost per frame. */
export interface ProcessCost {
  readonly name: string;
  readonly role: 'owner' | 'edge' | 'alone' | 'redis' | 'postgres';
  /** CPU per frame, less the idle rate over the blocks' wall time (ms). */
  readonly cpuMsPerFrame: number;
  /** CPU per frame as measured, idle included (ms). */
  readonly rawCpuMsPerFrame: number;
  /** CPU it uses per second with no command running (ms/s). */
  readonly idleMsPerSecond: number;
}

export interface NodeDelivery {
  readonly node: string;
  readonly students: number;
  readonly connectFailed: number;
  /** (frame, student) pairs not received on this node. */
  readonly missing: number;
  readonly disconnects: number;
  /** Per frame, ms from the command being sent until this node's last student had it. */
  readonly last: Summary;
}

export interface ClusterResult {
  readonly studentsPerNode: number;
  readonly nodes: number;
  readonly frames: number;
  /** The node that owns the lecture, as GET /api/lectures/:id/owner answers (null: no such answer). */
  readonly owner: string | null;
  readonly cluster: readonly NodeDelivery[];
  readonly baseline: NodeDelivery;
  /** Every (frame, student) pair the cluster's students missed, over every node. */
  readonly missing: number;
  /** Each process's cost per frame with every student connected. */
  readonly costs: readonly ProcessCost[];
  /** The same once the owner and the baseline have no students left (the edges keep theirs). */
  readonly publisherCosts: readonly ProcessCost[];
  /** The owner's CPU per frame less the baseline's, both without students (ms). */
  readonly publisherOverheadMs: number;
  /** Redis CPU per frame delivered to one node, the owner without students (µs). */
  readonly redisUsPerNodeDelivery: number;
  /** The cluster's and the baseline's PostgreSQL CPU per command (ms). */
  readonly postgresMsPerCommand: { readonly cluster: number; readonly alone: number };
  readonly ackMs: { readonly cluster: number; readonly alone: number };
  readonly machineBusy: number;
}

const STEPS_PER_BLOCK = 20;
const GAP_MS = 5;
const FRAME_TIMEOUT_MS = 10_000;
/** Commands whose frame some node's students did not all get in FRAME_TIMEOUT_MS before the bench gives up. */
const MAX_TIMEOUTS = 3;
/** A quiet window spans four of the owner's 3-second heads, so one more or less changes it by a quarter at most. */
const QUIET_MS = 12_000;
const SETTLE_MS = 3000;

/** CPU time in ms a process has used, all its live threads, from /proc (ns resolution); NaN once it is gone. */
export function schedCpuMs(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e6;
  } catch {
    return NaN;
  }
}

/** GET /api/lectures/:id/owner's node, or null when the node has no such route or names none. */
async function ownerOf(url: string, lectureId: string): Promise<string | null> {
  const res = await fetch(`${url}/api/lectures/${lectureId}/owner`).catch(() => undefined);
  if (!res?.ok) return null;
  const body = (await res.json()) as { node?: unknown };
  return typeof body.node === 'string' ? body.node : null;
}

interface Meter {
  readonly name: string;
  readonly role: ProcessCost['role'];
  read(): number;
}

async function runWith(pg: PostgresServer, redis: RedisServer, opts: ClusterOptions): Promise<ClusterResult> {
  const n = opts.studentsPerNode;
  const ids = Array.from({ length: opts.nodes }, (_, i) => String.fromCharCode(65 + i));
  console.log(`\ncluster: ${opts.nodes} nodes × ${n} raw students over PostgreSQL and Redis (${redis.url}); baseline: one process, ${n} students, PostgreSQL; ${opts.reps} blocks of ${STEPS_PER_BLOCK} commands each`);
  const targets: Target[] = [];
  const instructors: RawClient[] = [];
  let gens: Generators | undefined;
  try {
    const clusterDb = await pg.createDatabase();
    const cpuProfDir = opts.cpuProfDir;
    for (const id of ids) targets.push(await startTarget('server-pg', { databaseUrl: clusterDb, cpuProfDir, env: { REDIS_URL: redis.url, NODE_ID: id } }));
    const alone = await startTarget('server-pg', { databaseUrl: await pg.createDatabase(), cpuProfDir, env: { NODE_ID: 'alone' } });
    targets.push(alone);
    const nodes = targets.slice(0, ids.length);
    const [first] = nodes;

    // The lecture is created on the first node and its instructor connects there and commands once
    // before any student joins, so that node needs it first and takes it.
    const lecture = await createLecture(first.url);
    const baselineLecture = await createLecture(alone.url);
    const auth = (lectureId: string) => ({ protocol: PROTOCOL_VERSION, lectureId });
    const instructor = await RawClient.connect(first.url, { ...auth(lecture.id), token: lecture.instructorToken });
    const soloInstructor = await RawClient.connect(alone.url, { ...auth(baselineLecture.id), token: baselineLecture.instructorToken });
    instructors.push(instructor, soloInstructor);
    for (const [who, lectureId] of [[instructor, lecture.id], [soloInstructor, baselineLecture.id]] as const) {
      const { args } = await who.emitWithAck('command', { type: 'step' });
      if (!(args[0] as { ok?: boolean }).ok) throw new Error(`the first command of ${lectureId} answered ${JSON.stringify(args[0])}`);
    }

    gens = await Generators.start(opts.generators ?? 2);
    const failed = new Map<string, number>();
    const connectTo = async (name: string, t: Target, lectureId: string) => {
      const c = await gens!.connect(name, t.url, n, 'raw', auth(lectureId));
      if (c.failed) console.warn(`  ${name}: ${c.failed} of ${n} students failed to connect: ${c.errors.slice(0, 3).join('; ')}`);
      console.log(`  ${name}: ${c.ok} students connected in ${Math.round(c.ms)} ms`);
      failed.set(name, c.failed);
    };
    for (const [i, t] of nodes.entries()) await connectTo(ids[i], t, lecture.id);
    await connectTo('alone', alone, baselineLecture.id);

    // Each lecture is at seq 1: the instructor's first command above.
    let clusterSeq = 1;
    let aloneSeq = 1;
    const sentAt = new Map<string, number>();
    const acks = { cluster: [] as number[], alone: [] as number[] };
    const timedOut: string[] = [];
    const command = async (kind: 'cluster' | 'alone', names: readonly string[] = kind === 'cluster' ? ids : ['alone']): Promise<number> => {
      const seq = kind === 'cluster' ? ++clusterSeq : ++aloneSeq;
      const t0 = now();
      sentAt.set(`${kind}#${seq}`, t0);
      const ack = (kind === 'cluster' ? instructor : soloInstructor).emitWithAck('command', { type: 'step' });
      const delivered = await Promise.all(names.map((name) => gens!.waitSeq(name, seq, FRAME_TIMEOUT_MS)));
      const late = names.filter((_, i) => !delivered[i]);
      if (late.length) {
        timedOut.push(`${kind} seq ${seq} on ${late.join(', ')}`);
        // A frame lost now and then is a result (missing); frames that do not arrive at all are a broken cluster, not a measurement.
        if (timedOut.length >= MAX_TIMEOUTS) throw new Error(`frames did not reach every student within ${FRAME_TIMEOUT_MS / 1000} s ${timedOut.length} times: ${timedOut.join('; ')}`);
      }
      const { args, receivedAt } = await ack;
      const result = args[0] as { ok: boolean; seq?: number; error?: string };
      if (!result.ok || result.seq !== seq) throw new Error(`${kind}: command ${seq} answered ${JSON.stringify(result)}`);
      acks[kind].push(receivedAt - t0);
      return seq;
    };

    // Warm-up (not measured): a block each, so replicas, pools and the JIT are warm.
    for (let i = 0; i < STEPS_PER_BLOCK; i++) await command('cluster'), await sleep(GAP_MS);
    for (let i = 0; i < STEPS_PER_BLOCK; i++) await command('alone'), await sleep(GAP_MS);
    const owner = await ownerOf(first.url, lecture.id);
    console.log(`  owner of ${lecture.id}: ${owner ?? 'not named (no /owner answer)'}`);
    const ownerName = owner ?? ids[0];

    const meters: Meter[] = [
      ...nodes.map((t, i): Meter => ({ name: ids[i], role: ids[i] === ownerName ? 'owner' : 'edge', read: () => schedCpuMs(t.pid) })),
      { name: 'alone', role: 'alone', read: () => schedCpuMs(alone.pid) },
      { name: 'redis', role: 'redis', read: () => schedCpuMs(redis.pid!) },
      // Its backends come and go: the postmaster's reaped children count too (10 ms ticks).
      { name: 'postgres', role: 'postgres', read: () => postgresCpuMs(pg.pid) },
    ];
    const readAll = () => meters.map((m) => m.read());

    // What each process spends per ms with no command running (a node's head to its students every
    // few seconds, heartbeats, presence, pings): measured once the connections and commands have
    // settled, and again after the blocks; their mean is taken off the blocks' CPU for their wall time.
    const quiet = async () => {
      await sleep(SETTLE_MS);
      const start = readAll();
      const t0 = now();
      await sleep(QUIET_MS);
      const elapsed = now() - t0;
      return readAll().map((v, i) => (v - start[i]) / elapsed);
    };
    /** Blocks of commands to the cluster and to the baseline in turn, waiting for the students of `watched`. */
    const phase = async (watched: { cluster: readonly string[]; alone: readonly string[] }) => {
      const idleBefore = await quiet();
      const spent = { cluster: meters.map(() => 0), alone: meters.map(() => 0) };
      const wall = { cluster: 0, alone: 0 };
      const seqs = { cluster: [] as number[], alone: [] as number[] };
      for (let r = 0; r < opts.reps; r++) {
        for (const kind of ['cluster', 'alone'] as const) {
          const before = readAll();
          const t0 = now();
          for (let i = 0; i < STEPS_PER_BLOCK; i++) {
            seqs[kind].push(await command(kind, watched[kind]));
            await sleep(GAP_MS);
          }
          wall[kind] += now() - t0;
          readAll().forEach((v, i) => (spent[kind][i] += v - before[i]));
        }
      }
      const idleAfter = await quiet();
      const idlePerMs = idleBefore.map((v, i) => (v + idleAfter[i]) / 2);
      const frames = seqs.cluster.length;
      const costOf = (i: number, kind: 'cluster' | 'alone'): ProcessCost => ({
        name: meters[i].name,
        role: meters[i].role,
        cpuMsPerFrame: round((spent[kind][i] - idlePerMs[i] * wall[kind]) / frames, 3),
        rawCpuMsPerFrame: round(spent[kind][i] / frames, 3),
        idleMsPerSecond: round(idlePerMs[i] * 1000, 2),
      });
      return { seqs, frames, costOf };
    };
    const costsOf = (p: Awaited<ReturnType<typeof phase>>) => meters.map((m, i) => p.costOf(i, m.role === 'alone' ? 'alone' : 'cluster'));

    // 1: every student connected: delivery, latency, and each process's cost per frame with N students.
    const machineBefore = machineCpu();
    const withStudents = await phase({ cluster: ids, alone: ['alone'] });
    const machineAfter = machineCpu();
    const delivery = async (name: string, kind: 'cluster' | 'alone'): Promise<NodeDelivery> => {
      const reports = await gens!.report(name);
      const expected = n - failed.get(name)!;
      let missing = 0;
      const lasts: number[] = [];
      for (const seq of withStudents.seqs[kind]) {
        const t0 = sentAt.get(`${kind}#${seq}`)!;
        const times = reports.flatMap((rep) => rep.receipts[seq] ?? []);
        missing += expected - times.length;
        if (times.length) lasts.push(max(times) - t0);
      }
      return { node: name, students: n, connectFailed: failed.get(name)!, missing, disconnects: reports.reduce((s, rep) => s + rep.disconnects, 0), last: summarize(lasts) };
    };
    const cluster = await Promise.all(ids.map((id) => delivery(id, 'cluster')));
    const baseline = await delivery('alone', 'alone');

    // 2: the owner's and the baseline's students gone (the edges keep theirs): what is left at the
    // owner is deciding, committing and publishing, and at the baseline deciding and committing.
    await gens.close(ownerName);
    await gens.close('alone');
    const publishing = await phase({ cluster: ids.filter((id) => id !== ownerName), alone: [] });
    const publisherCosts = costsOf(publishing);
    const ownerCost = publisherCosts.find((c) => c.role === 'owner')!;
    const aloneCost = publisherCosts.find((c) => c.role === 'alone')!;
    const redisCost = publisherCosts.find((c) => c.role === 'redis')!;
    const pgIndex = meters.findIndex((m) => m.role === 'postgres');
    const machineTotal = Math.max(1, machineAfter.totalMs - machineBefore.totalMs);
    return {
      studentsPerNode: n,
      nodes: ids.length,
      frames: withStudents.frames,
      owner,
      cluster,
      baseline,
      missing: cluster.reduce((s, d) => s + d.missing, 0),
      costs: costsOf(withStudents),
      publisherCosts,
      publisherOverheadMs: round(ownerCost.cpuMsPerFrame - aloneCost.cpuMsPerFrame, 3),
      redisUsPerNodeDelivery: round((redisCost.cpuMsPerFrame * 1000) / (ids.length - 1), 1),
      postgresMsPerCommand: { cluster: withStudents.costOf(pgIndex, 'cluster').cpuMsPerFrame, alone: withStudents.costOf(pgIndex, 'alone').cpuMsPerFrame },
      ackMs: { cluster: round(mean(acks.cluster), 2), alone: round(mean(acks.alone), 2) },
      machineBusy: round((machineAfter.busyMs - machineBefore.busyMs) / machineTotal, 2),
    };
  } finally {
    for (const c of instructors) c.close();
    await gens?.exit();
    await Promise.all(targets.map((t) => t.stop()));
  }
}

/** Starts PostgreSQL and Redis, runs the cluster bench, stops everything (also when it fails). */
export async function runCluster(opts: ClusterOptions): Promise<ClusterResult> {
  return withPostgres(async (pg) => {
    const redis = await startRedis();
    try {
      return await runWith(pg, redis, opts);
    } finally {
      await redis.close();
    }
  });
}

export function printCluster(r: ClusterResult): void {
  console.log(
    table(
      [...r.cluster, r.baseline].map((d) => ({
        node: d.node === r.owner ? `${d.node} (owner)` : d.node,
        students: d.students,
        frames: r.frames,
        missing: d.missing,
        disconnects: d.disconnects,
        'last p50 ms': d.last.p50,
        'last p99 ms': d.last.p99,
        'last max ms': d.last.max,
      })),
    ),
  );
  const costs = (title: string, list: readonly ProcessCost[]) => {
    console.log(title);
    console.log(
      table(
        list.map((c) => ({
          process: c.name,
          role: c.role,
          'cpu ms/frame': c.cpuMsPerFrame,
          'with idle ms/frame': c.rawCpuMsPerFrame,
          'idle ms/s': c.idleMsPerSecond,
        })),
      ),
    );
  };
  costs(`  CPU per frame, ${r.studentsPerNode.toLocaleString('en-US')} students on every node:`, r.costs);
  costs('  CPU per frame, no students on the owner nor the baseline (the edges keep theirs):', r.publisherCosts);
  console.log(
    `  publisher overhead ${r.publisherOverheadMs} ms per frame (the owner less the same server alone, neither with students); Redis ${r.redisUsPerNodeDelivery} µs per frame per node; ` +
      `PostgreSQL ${r.postgresMsPerCommand.cluster} ms per command in the cluster, ${r.postgresMsPerCommand.alone} ms alone; ack ${r.ackMs.cluster} ms vs ${r.ackMs.alone} ms alone; machine busy ${Math.round(r.machineBusy * 100)}%`,
  );
}
