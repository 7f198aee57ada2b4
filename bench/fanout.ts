/**
 * Fan-out latency and memory per student. In one run, the targets side by side: our real server on
 * each store asked for (SQLite; PostgreSQL, a throwaway server the bench starts), a bare socket.io
 * relay and a bare `ws` relay (bench/servers/), each with the same N students held by generator
 * processes and the same instructor client in this process. Commands are interleaved one by one
 * across the targets (the order rotates every repetition), so the noise of this shared machine falls
 * on all of them alike; our overhead is the median over repetitions of the ratio of medians measured
 * within each repetition. On PostgreSQL the database's own CPU per command is reported beside ours.
 *
 * Latency of a frame for a student: its receipt time minus the time the instructor sent the command,
 * both on the shared clock (performance.timeOrigin + performance.now()).
 */
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import type { ClientKind, TargetReport } from './lib/generator.js';
import { Generators } from './lib/generators.js';
import { writeRelayFrames } from './lib/frames.js';
import { postgresCpuMs, withPostgres } from './lib/postgres.js';
import { cpuMs, machineCpu, now, sleep } from './lib/proc.js';
import { RawClient } from './lib/raw-client.js';
import { max, median, round, summarize, table, type Summary } from './lib/stats.js';
import { BENCH_STORES, createLecture, isServer, SERVER_KIND, startTarget, type BenchStore, type Target, type TargetKind } from './lib/targets.js';
import type { PostgresServer } from '../test/support/postgres.js';

export interface FanoutOptions {
  /** Students per target; "1000:raw" forces the client kind for that size. */
  readonly sizes: readonly (number | string)[];
  /** Measured repetitions; each is one pass (14 steps) per target. */
  readonly reps: number;
  readonly generators?: number;
  readonly client: 'auto' | ClientKind;
  /** Directory for a V8 CPU profile of our server (node --cpu-prof). */
  readonly cpuProfDir?: string;
  /** Only connect, measure memory and send a few frames (the memory bench alone). */
  readonly memoryOnly?: boolean;
  /** The stores our server runs on, one target each (default both: SQLite and PostgreSQL). */
  readonly stores?: readonly BenchStore[];
}

const RELAY_KINDS: readonly TargetKind[] = ['sio-relay', 'ws-relay'];

const STEPS_PER_REP = 14;
const GAP_MS = 5;
const FRAME_TIMEOUT_MS = 10_000;
/** A generator busier than this while frames arrive may be what is measured: the run is flagged. */
const GENERATOR_BOUND = 0.85;

export interface TargetResult {
  target: TargetKind;
  students: number;
  connectFailed: number;
  connectMs: number;
  commands: number;
  /** Frames not received by some student (0 = every frame delivered to every student). */
  missing: number;
  disconnects: number;
  /** Over every (frame, student) pair, ms. */
  latency: Summary;
  /** Per command, ms until the last student had the frame. */
  last: Summary;
  /** Per repetition: median over its commands of `last` and of the per-command p50. */
  repMedianLast: number[];
  repMedianP50: number[];
  ackMs: number;
  frameBytes: number;
  /** CPU the target process used per command (from /proc, 10 ms ticks). */
  cpuMsPerCommand: number;
  /** On PostgreSQL: the database server's CPU per command (postmaster and its children), else absent. */
  dbCpuMsPerCommand?: number;
  generatorBusy: number[];
  generatorCpuShare: number[];
  generatorBound: boolean;
  memory: { rssBefore: number; rssAfter: number; heapBefore: number; heapAfter: number; rssPerStudentKB: number; heapPerStudentKB: number };
}

export interface SizeResult {
  students: number;
  client: ClientKind;
  generators: number;
  reps: number;
  /** Share of both cores busy during the measured phase, and the part of it not ours (other processes). */
  machineBusy: number;
  neighbourBusy: number;
  targets: TargetResult[];
  /** Our server on each store measured, against the relays. */
  ratios: Partial<Record<BenchStore, FanoutRatios>>;
}

export interface FanoutRatios {
  vsSioRelayLast: number;
  vsWsRelayLast: number;
  vsSioRelayP50: number;
  vsWsRelayP50: number;
  repsVsSio: number[];
  repsVsWs: number[];
}

async function runSize(spec: number | string, opts: FanoutOptions, relayFrames: string, pg: PostgresServer | undefined): Promise<SizeResult> {
  const [count, forced] = String(spec).split(':');
  const n = Number(count);
  const kind: ClientKind = (forced as ClientKind | undefined) ?? (opts.client === 'auto' ? (n <= 1000 ? 'sio' : 'raw') : opts.client);
  const g = opts.generators ?? (n <= 200 ? 1 : 2);
  const reps = opts.memoryOnly ? 0 : opts.reps;
  const stores = opts.stores ?? BENCH_STORES;
  const kinds = [...stores.map((store) => SERVER_KIND[store]), ...RELAY_KINDS];
  console.log(`\nfan-out: ${n} students per target (${kind} clients in ${g} generator processes), ${reps} repetitions; our server on ${stores.join(' and ')}`);
  const targets: Target[] = [];
  const instructors = new Map<TargetKind, RawClient>();
  let gens: Generators | undefined;
  try {
    for (const k of kinds) {
      const databaseUrl = k === 'server-pg' ? await pg!.createDatabase() : undefined;
      targets.push(await startTarget(k, { relayFrames, databaseUrl, cpuProfDir: isServer(k) ? opts.cpuProfDir : undefined }));
    }
    // A lecture on each of our servers; the relays take any lecture id (the first server's).
    const lectures = new Map<TargetKind, { id: string; instructorToken: string }>();
    for (const t of targets) if (isServer(t.kind)) lectures.set(t.kind, await createLecture(t.url));
    const firstLecture = lectures.get(kinds[0])!;
    const studentAuthOf = (k: TargetKind) => ({ protocol: PROTOCOL_VERSION, lectureId: (lectures.get(k) ?? firstLecture).id });

    const before = new Map<TargetKind, { rss: number; heap: number }>();
    for (const t of targets) {
      const m = await t.memory();
      before.set(t.kind, { rss: t.rss(), heap: m.heapUsed });
    }

    gens = await Generators.start(g);
    const connected = new Map<TargetKind, { failed: number; ms: number }>();
    for (const t of targets) {
      const studentAuth = studentAuthOf(t.kind);
      const c = await gens.connect(t.kind, t.url, n, kind, studentAuth);
      if (c.failed) console.warn(`  ${t.kind}: ${c.failed} of ${n} students failed to connect: ${c.errors.slice(0, 3).join('; ')}`);
      console.log(`  ${t.kind}: ${c.ok} students connected in ${Math.round(c.ms)} ms`);
      connected.set(t.kind, { failed: c.failed, ms: c.ms });
      const lecture = lectures.get(t.kind);
      instructors.set(t.kind, await RawClient.connect(t.url, lecture ? { ...studentAuth, token: lecture.instructorToken } : studentAuth));
    }

    const seqs = new Map<TargetKind, number>(kinds.map((k) => [k, 0]));
    const sentAt = new Map<TargetKind, Map<number, number>>(kinds.map((k) => [k, new Map()]));
    const acks = new Map<TargetKind, number[]>(kinds.map((k) => [k, []]));
    const timedOut = new Map<TargetKind, number>(kinds.map((k) => [k, 0]));
    const command = async (t: Target): Promise<number> => {
      const seq = seqs.get(t.kind)! + 1;
      seqs.set(t.kind, seq);
      const instructor = instructors.get(t.kind)!;
      const t0 = now();
      sentAt.get(t.kind)!.set(seq, t0);
      const ack = instructor.emitWithAck('command', { type: 'step' });
      const delivered = await gens!.waitSeq(t.kind, seq, FRAME_TIMEOUT_MS);
      if (!delivered) timedOut.set(t.kind, timedOut.get(t.kind)! + 1);
      const { args, receivedAt } = await ack;
      const result = args[0] as { ok: boolean; seq?: number; error?: string };
      if (!result.ok || result.seq !== seq) throw new Error(`${t.kind}: command ${seq} answered ${JSON.stringify(result)}`);
      acks.get(t.kind)!.push(receivedAt - t0);
      return seq;
    };

    // Warm-up: one pass per target, interleaved, not measured.
    for (let i = 0; i < STEPS_PER_REP; i++) for (const t of targets) await command(t), await sleep(GAP_MS);

    const after = new Map<TargetKind, { rss: number; heap: number }>();
    for (const t of targets) {
      const m = await t.memory();
      after.set(t.kind, { rss: t.rss(), heap: m.heapUsed });
    }

    const cpuBefore = new Map(targets.map((t) => [t.kind, t.cpuMs()]));
    const dbCpu = () => (pg ? postgresCpuMs(pg.pid) : 0);
    const dbBefore = dbCpu();
    const machineBefore = machineCpu();
    const ours = () => targets.reduce((a, t) => a + t.cpuMs(), 0) + gens!.pids.reduce((a, pid) => a + cpuMs(pid), 0) + cpuMs(process.pid) + dbCpu();
    const oursBefore = ours();
    const measured = new Map<TargetKind, number[][]>(kinds.map((k) => [k, []]));
    for (let r = 0; r < reps; r++) {
      const order = targets.map((_, i) => targets[(i + r) % targets.length]);
      for (const t of order) measured.get(t.kind)!.push([]);
      for (let i = 0; i < STEPS_PER_REP; i++) {
        for (const t of order) {
          const seq = await command(t);
          measured.get(t.kind)![r].push(seq);
          await sleep(GAP_MS);
        }
      }
    }
    const machineAfter = machineCpu();
    const oursDelta = ours() - oursBefore;
    const cpuPerCommand = new Map(targets.map((t) => [t.kind, reps ? (t.cpuMs() - cpuBefore.get(t.kind)!) / (reps * STEPS_PER_REP) : NaN]));
    // Only server-pg's commands reach PostgreSQL, so all of its CPU in the measured phase is theirs.
    const dbCpuPerCommand = reps ? (dbCpu() - dbBefore) / (reps * STEPS_PER_REP) : NaN;

    const results: TargetResult[] = [];
    for (const t of targets) {
      const reports: TargetReport[] = await gens.report(t.kind);
      const t0s = sentAt.get(t.kind)!;
      const all: number[] = [];
      const lasts: number[] = [];
      let missing = 0;
      const perSeq = new Map<number, { p50: number; last: number }>();
      for (const seq of measured.get(t.kind)!.flat()) {
        const lat = reports.flatMap((rep) => (rep.receipts[seq] ?? []).map((x) => x - t0s.get(seq)!));
        missing += n - connected.get(t.kind)!.failed - lat.length;
        for (const x of lat) all.push(x);
        const last = max(lat);
        lasts.push(last);
        perSeq.set(seq, { p50: median(lat), last });
      }
      const bytes = reports.map((rep) => Object.values(rep.frameBytes).filter(Number.isFinite)).flat();
      const busy = reports.filter((rep) => rep.sockets > 0).map((rep) => (rep.busyWallMs > 0 ? rep.busyCpuMs / rep.busyWallMs : 0));
      const share = reports.filter((rep) => rep.sockets > 0).map((rep) => (rep.wallMs > 0 ? rep.cpuMs / rep.wallMs : 0));
      const b = before.get(t.kind)!;
      const a = after.get(t.kind)!;
      results.push({
        target: t.kind,
        students: n,
        connectFailed: connected.get(t.kind)!.failed,
        connectMs: Math.round(connected.get(t.kind)!.ms),
        commands: lasts.length,
        missing,
        disconnects: reports.reduce((s, rep) => s + rep.disconnects, 0),
        latency: summarize(all),
        last: summarize(lasts),
        repMedianLast: measured.get(t.kind)!.map((seqList) => round(median(seqList.map((s) => perSeq.get(s)!.last)), 2)),
        repMedianP50: measured.get(t.kind)!.map((seqList) => round(median(seqList.map((s) => perSeq.get(s)!.p50)), 2)),
        ackMs: round(median(acks.get(t.kind)!), 2),
        frameBytes: bytes.length ? Math.round(bytes.reduce((x, y) => x + y, 0) / bytes.length) : NaN,
        cpuMsPerCommand: round(cpuPerCommand.get(t.kind)!, 2),
        ...(t.kind === 'server-pg' ? { dbCpuMsPerCommand: round(dbCpuPerCommand, 2) } : {}),
        generatorBusy: busy.map((x) => round(x, 2)),
        generatorCpuShare: share.map((x) => round(x, 2)),
        generatorBound: busy.some((x) => x > GENERATOR_BOUND),
        memory: {
          rssBefore: b.rss,
          rssAfter: a.rss,
          heapBefore: b.heap,
          heapAfter: a.heap,
          rssPerStudentKB: round((a.rss - b.rss) / n / 1024, 1),
          heapPerStudentKB: round((a.heap - b.heap) / n / 1024, 1),
        },
      });
    }
    const by = (k: TargetKind) => results.find((r) => r.target === k)!;
    const repRatio = (a: number[], b: number[]) => a.map((x, i) => round(x / b[i], 3));
    const ratiosOf = (k: TargetKind): FanoutRatios => {
      const repsVsSio = repRatio(by(k).repMedianLast, by('sio-relay').repMedianLast);
      const repsVsWs = repRatio(by(k).repMedianLast, by('ws-relay').repMedianLast);
      return {
        vsSioRelayLast: round(median(repsVsSio), 3),
        vsWsRelayLast: round(median(repsVsWs), 3),
        vsSioRelayP50: round(median(repRatio(by(k).repMedianP50, by('sio-relay').repMedianP50)), 3),
        vsWsRelayP50: round(median(repRatio(by(k).repMedianP50, by('ws-relay').repMedianP50)), 3),
        repsVsSio,
        repsVsWs,
      };
    };
    const machineTotal = Math.max(1, machineAfter.totalMs - machineBefore.totalMs);
    const busyMachine = (machineAfter.busyMs - machineBefore.busyMs) / machineTotal;
    const neighbour = Math.max(0, machineAfter.busyMs - machineBefore.busyMs - oursDelta) / machineTotal;
    return {
      students: n,
      client: kind,
      generators: g,
      reps,
      machineBusy: round(busyMachine, 2),
      neighbourBusy: round(neighbour, 2),
      targets: results,
      ratios: Object.fromEntries(stores.map((store) => [store, ratiosOf(SERVER_KIND[store])])),
    };
  } finally {
    for (const c of instructors.values()) c.close();
    await gens?.exit();
    await Promise.all(targets.map((t) => t.stop()));
  }
}

export async function runFanout(opts: FanoutOptions): Promise<SizeResult[]> {
  const relayFrames = writeRelayFrames();
  const runSizes = async (pg: PostgresServer | undefined) => {
    const sizes: SizeResult[] = [];
    for (const n of opts.sizes) {
      const r = await runSize(n, opts, relayFrames, pg);
      sizes.push(r);
      printSize(r);
    }
    return sizes;
  };
  // One PostgreSQL for every size, a fresh database each.
  return (opts.stores ?? BENCH_STORES).includes('postgres') ? withPostgres(runSizes) : runSizes(undefined);
}

/** A target's name in the tables: our server with its store. */
const LABELS: Readonly<Record<TargetKind, string>> = { server: 'ours, SQLite', 'server-pg': 'ours, PostgreSQL', 'sio-relay': 'bare socket.io', 'ws-relay': 'bare ws' };

export function printSize(r: SizeResult): void {
  if (r.reps > 0) {
    console.log(
      table(
        r.targets.map((t) => ({
          target: LABELS[t.target],
          N: t.students,
          cmds: t.commands,
          missing: t.missing,
          'p50 ms': t.latency.p50,
          'p95 ms': t.latency.p95,
          'p99 ms': t.latency.p99,
          'last p50 ms': t.last.p50,
          'last p99 ms': t.last.p99,
          'last max ms': t.last.max,
          'ack ms': t.ackMs,
          bytes: Number.isFinite(t.frameBytes) ? t.frameBytes : '',
          'cpu ms/cmd': t.cpuMsPerCommand,
          'db cpu ms/cmd': t.dbCpuMsPerCommand ?? '',
          'gen busy': t.generatorBusy.join('/') + (t.generatorBound ? ' BOUND' : ''),
        })),
      ),
    );
    for (const [store, q] of Object.entries(r.ratios)) {
      console.log(
        `  ours on ${store} vs bare socket.io: last ×${q.vsSioRelayLast} (reps ${q.repsVsSio.join(', ')}), p50 ×${q.vsSioRelayP50}; ` +
          `vs bare ws: last ×${q.vsWsRelayLast} (reps ${q.repsVsWs.join(', ')}), p50 ×${q.vsWsRelayP50}`,
      );
    }
    console.log(`  machine busy ${Math.round(r.machineBusy * 100)}% (others ${Math.round(r.neighbourBusy * 100)}%)`);
  }
  console.log(
    table(
      r.targets.map((t) => ({
        target: LABELS[t.target],
        N: t.students,
        'RSS before MB': round(t.memory.rssBefore / 2 ** 20, 1),
        'RSS after MB': round(t.memory.rssAfter / 2 ** 20, 1),
        'RSS/student KB': t.memory.rssPerStudentKB,
        'heap before MB': round(t.memory.heapBefore / 2 ** 20, 1),
        'heap after MB': round(t.memory.heapAfter / 2 ** 20, 1),
        'heap/student KB': t.memory.heapPerStudentKB,
        'connect ms': t.connectMs,
      })),
    ),
  );
}

