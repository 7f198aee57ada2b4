/**
 * Joining: the time from opening the connection to holding the snapshot, for a single late joiner
 * (sequentially, from this process) and for a crowd joining at a fixed rate from the generator
 * processes while the instructor keeps stepping; on a lecture that has stepped a little and on one
 * that has trained 100,000 epochs (whose snapshot carries the whole loss history).
 */
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { writeRelayFrames } from './lib/frames.js';
import { Generators } from './lib/generators.js';
import { cpuMs, now, sleep } from './lib/proc.js';
import { RawClient } from './lib/raw-client.js';
import { median, round, summarize, table, type Summary } from './lib/stats.js';
import { createLecture, startTarget, TARGET_KINDS, type Target, type TargetKind } from './lib/targets.js';

export interface JoinOptions {
  readonly single: number;
  readonly crowd: number;
  /** Join rates of the crowd (the first is the target's 1,000/s). */
  readonly rates: readonly number[];
  /** Crowds per rate and target, interleaved across the targets. */
  readonly reps: number;
  /** Joiners of the crowd on the trained lecture (its snapshot is megabytes). */
  readonly crowdAfterTraining: number;
  /** Directory for a V8 CPU profile of our server (node --cpu-prof). */
  readonly cpuProfDir?: string;
}

export interface JoinCase {
  case: string;
  target: TargetKind;
  joiners: number;
  failed: number;
  snapshotBytes: number;
  ms: Summary;
  /** Wall time from the first joiner's start to the last snapshot. */
  wallMs?: number;
  /** CPU of the target process per joiner (from /proc). */
  cpuMsPerJoin?: number;
  /** CPU of the generators per joiner. */
  generatorCpuMsPerJoin?: number;
}

export interface JoinResult {
  cases: JoinCase[];
  /** Per rate: median over repetitions of our crowd p99 over the bare socket.io relay's. */
  crowdP99VsSioRelay: Record<string, number>;
  trainMs: number;
}

async function single(url: string, lectureId: string): Promise<{ ms: number; bytes: number }> {
  const t0 = now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no snapshot within 30 s')), 30_000);
    let client: RawClient | undefined;
    let result: { ms: number; bytes: number } | undefined;
    RawClient.connect(url, { protocol: PROTOCOL_VERSION, lectureId }, {
      onEvent: (name, packet, at) => {
        if (name !== 'snapshot') return;
        clearTimeout(timer);
        result = { ms: at - t0, bytes: packet.length };
        if (client) {
          client.close();
          resolve(result);
        }
      },
    }).then((c) => {
      client = c;
      if (result) {
        c.close();
        resolve(result);
      }
    }, reject);
  });
}

/** Waits until a process has been idle (under 20 ms of CPU in 200 ms) for 400 ms; returns how long that took. */
export async function settle(t: Target, timeoutMs = 15_000): Promise<number> {
  const t0 = now();
  let quiet = 0;
  let last = t.cpuMs();
  while (quiet < 2 && now() - t0 < timeoutMs) {
    await sleep(200);
    const c = t.cpuMs();
    quiet = c - last < 20 ? quiet + 1 : 0;
    last = c;
  }
  return now() - t0;
}

async function singles(label: string, url: string, lectureId: string, count: number): Promise<JoinCase> {
  await single(url, lectureId); // warm-up
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const r = await single(url, lectureId);
    times.push(r.ms);
    bytes = r.bytes;
    await sleep(20);
  }
  return { case: label, target: 'server', joiners: count, failed: 0, snapshotBytes: bytes, ms: summarize(times) };
}

export async function runJoin(opts: JoinOptions): Promise<JoinResult> {
  console.log(`\njoin: late joiners (${opts.single} one at a time; crowds of ${opts.crowd} at ${opts.rates.join(', ')}/s while the instructor steps)`);
  const relayFrames = writeRelayFrames();
  const targets: Target[] = [];
  const instructors = new Map<TargetKind, RawClient>();
  let gens: Generators | undefined;
  const cases: JoinCase[] = [];
  try {
    for (const k of TARGET_KINDS) targets.push(await startTarget(k, { relayFrames, cpuProfDir: k === 'server' && opts.cpuProfDir ? `${opts.cpuProfDir}/join` : undefined }));
    const server = targets[0];
    const lecture = await createLecture(server.url);
    const auth = { protocol: PROTOCOL_VERSION, lectureId: lecture.id };
    for (const t of targets) instructors.set(t.kind, await RawClient.connect(t.url, t.kind === 'server' ? { ...auth, token: lecture.instructorToken } : auth));
    const step = async (t: TargetKind) => {
      const { args } = await instructors.get(t)!.emitWithAck('command', { type: 'step' }, 60_000);
      if (!(args[0] as { ok: boolean }).ok) throw new Error(`step refused: ${JSON.stringify(args[0])}`);
    };
    for (let i = 0; i < 20; i++) for (const t of targets) await step(t.kind);
    gens = await Generators.start(2);
    let crowdNo = 0;

    const crowd = async (label: string, t: Target, count: number, perSecond: number): Promise<JoinCase> => {
      let stepping = true;
      const stepper = (async () => {
        while (stepping) {
          await step(t.kind);
          await sleep(250);
        }
      })();
      const id = `crowd${crowdNo++}`;
      const cpu0 = t.cpuMs();
      const gcpu0 = gens!.pids.map(cpuMs);
      const t0 = now();
      const r = await gens!.join(id, t.url, count, perSecond, 'raw', auth, 180_000);
      const wallMs = now() - t0;
      const cpu = t.cpuMs() - cpu0;
      const gcpu = gens!.pids.reduce((sum, pid, i) => sum + cpuMs(pid) - gcpu0[i], 0);
      stepping = false;
      await stepper;
      if (r.failed) console.warn(`  ${label}: ${r.failed} joiners failed: ${r.errors.slice(0, 3).join('; ')}`);
      await gens!.close(id);
      const settleMs = await settle(t);
      if (settleMs > 1000) console.log(`  (${t.kind} was busy ${Math.round(settleMs)} ms after the crowd left)`);
      return {
        case: label,
        target: t.kind,
        joiners: count,
        failed: r.failed,
        snapshotBytes: r.snapshotBytes,
        ms: summarize(r.times),
        wallMs: Math.round(wallMs),
        cpuMsPerJoin: round(cpu / count, 2),
        generatorCpuMsPerJoin: round(gcpu / count, 2),
      };
    };

    cases.push(await singles('one late joiner, 20 steps in', server.url, lecture.id, opts.single));
    // Warm-up (not reported): a small crowd per target, so that no target meets its first crowd cold.
    for (const t of targets) await crowd('warm-up', t, 300, 300);
    const crowdP99VsSioRelay: Record<string, number> = {};
    for (const rate of opts.rates) {
      const ratios: number[] = [];
      for (let r = 0; r < opts.reps; r++) {
        const order = targets.map((_, i) => targets[(i + r) % targets.length]);
        const p99 = new Map<TargetKind, number>();
        for (const t of order) {
          const c = await crowd(`${opts.crowd} join at ${rate}/s`, t, opts.crowd, rate);
          cases.push(c);
          p99.set(t.kind, c.ms.p99);
        }
        ratios.push(p99.get('server')! / p99.get('sio-relay')!);
      }
      crowdP99VsSioRelay[`${rate}/s`] = round(median(ratios), 3);
    }
    cases.push(await singles('one late joiner after the crowds left', server.url, lecture.id, opts.single));

    const t0 = now();
    const { args } = await instructors.get('server')!.emitWithAck('command', { type: 'train', epochs: 100_000 }, 120_000);
    const trainMs = now() - t0;
    if (!(args[0] as { ok: boolean }).ok) throw new Error(`train refused: ${JSON.stringify(args[0])}`);
    await step('server');

    cases.push(await singles('one late joiner after train 100000', server.url, lecture.id, opts.single));
    if (opts.crowdAfterTraining > 0) cases.push(await crowd(`${opts.crowdAfterTraining} join at ${opts.rates[0]}/s after train 100000`, server, opts.crowdAfterTraining, opts.rates[0]));

    const result: JoinResult = { cases, crowdP99VsSioRelay, trainMs: round(trainMs, 0) };
    printJoin(result);
    return result;
  } finally {
    for (const c of instructors.values()) c.close();
    await gens?.exit();
    await Promise.all(targets.map((t) => t.stop()));
  }
}

export function printJoin(r: JoinResult): void {
  console.log(
    table(
      r.cases.map((c) => ({
        case: c.case,
        target: c.target,
        joiners: c.joiners,
        failed: c.failed,
        'snapshot bytes': c.snapshotBytes,
        'p50 ms': c.ms.p50,
        'p95 ms': c.ms.p95,
        'p99 ms': c.ms.p99,
        'max ms': c.ms.max,
        'wall ms': c.wallMs,
        'cpu ms/join': c.cpuMsPerJoin,
        'gen cpu ms/join': c.generatorCpuMsPerJoin,
      })),
    ),
  );
  console.log(`  crowd p99, ours over bare socket.io: ${Object.entries(r.crowdP99VsSioRelay).map(([rate, x]) => `${rate} ×${x}`).join(', ')}`);
}
