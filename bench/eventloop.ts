/**
 * Event-loop delay of our server while `train {epochs: 100000}` runs with N students connected,
 * measured from outside: probe sockets (students) send a socket.io `sync {lastSeq}` request every
 * 10 ms in turn, which the server answers at once with an ack (`{type:'frames', frames: []}`), and
 * the round trips are recorded. A round trip is the network stack plus the time the request waited
 * for the server's event loop; the idle round trip is measured first, before the training, so
 * delay ≈ round trip during training − idle median. The probes rotate over 15 sockets, so each sends
 * under 7 events a second (the server allows a student 10).
 */
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { Generators } from './lib/generators.js';
import { now, sleep } from './lib/proc.js';
import { RawClient } from './lib/raw-client.js';
import { round, summarize, table, type Summary } from './lib/stats.js';
import { createLecture, startTarget } from './lib/targets.js';

export interface EventLoopOptions {
  readonly students: number;
  readonly epochs: number;
  /** Directory for a V8 CPU profile of our server (node --cpu-prof). */
  readonly cpuProfDir?: string;
}

export interface EventLoopResult {
  students: number;
  epochs: number;
  idle: Summary;
  training: Summary;
  /** p99 of (round trip during training − idle median). */
  delayP99: number;
  delayMax: number;
  trainMs: number;
  progressEvents: number;
  refusedProbes: number;
  /** Probes answered after the train's frame on their socket (excluded from `training`). */
  probesAfterTraining: number;
  /**
   * Round trips of the probes answered after the train's frame on their socket: they waited for the
   * commit and the broadcast of the train frame (the whole loss history to every student).
   */
  endOfTraining: Summary;
  /** From sending `train` until every student had its frame (null: not within 300 s). */
  trainFrameDeliveredToAllMs: number | null;
}

const PROBE_SOCKETS = 15;
const PROBE_EVERY_MS = 10;

export async function runEventLoop(opts: EventLoopOptions): Promise<EventLoopResult> {
  console.log(`\nevent loop: sync round trips every ${PROBE_EVERY_MS} ms while train {epochs: ${opts.epochs}} runs with ${opts.students} students`);
  const server = await startTarget('server', { cpuProfDir: opts.cpuProfDir ? `${opts.cpuProfDir}/eventloop` : undefined });
  const probes: RawClient[] = [];
  let instructor: RawClient | undefined;
  let gens: Generators | undefined;
  try {
    const lecture = await createLecture(server.url);
    const auth = { protocol: PROTOCOL_VERSION, lectureId: lecture.id };
    gens = await Generators.start(opts.students > 200 ? 2 : 1);
    const c = await gens.connect('students', server.url, opts.students, 'raw', auth);
    if (c.failed) console.warn(`  ${c.failed} students failed to connect: ${c.errors.slice(0, 3).join('; ')}`);
    let progressEvents = 0;
    // When each probe socket received the train's frame: an ack after it on that socket was answered
    // after the training ended (or waited behind the frame), so it does not count as during training.
    const frameAt: number[] = [];
    let sawFrame: () => void = () => {};
    const frameSeen = new Promise<void>((resolve) => (sawFrame = resolve));
    for (let i = 0; i < PROBE_SOCKETS; i++) {
      probes.push(
        await RawClient.connect(server.url, auth, {
          onEvent: (name, _packet, at) => {
            if (name === 'progress' && i === 0) progressEvents++;
            if (name === 'frame' && frameAt[i] === undefined) {
              frameAt[i] = at;
              sawFrame();
            }
          },
        }),
      );
    }
    instructor = await RawClient.connect(server.url, { ...auth, token: lecture.instructorToken });

    let refused = 0;
    let afterTraining = 0;
    const stalled: number[] = [];
    const probeFor = async (ms: number, until?: Promise<unknown>) => {
      const rtts: number[] = [];
      const pending: Promise<void>[] = [];
      let i = 0;
      let stop = false;
      void until?.then(() => (stop = true));
      const end = now() + ms;
      let next = now();
      while (!stop && now() < end) {
        const k = i++ % probes.length;
        const t0 = now();
        pending.push(
          probes[k].emitWithAck('sync', { lastSeq: 0 }, 300_000).then(({ args, receivedAt }) => {
            const reply = args[0] as { status?: number };
            if (reply?.status === 429) refused++;
            if (frameAt[k] !== undefined && receivedAt >= frameAt[k]) {
              afterTraining++;
              stalled.push(receivedAt - t0);
            } else rtts.push(receivedAt - t0);
          }),
        );
        next += PROBE_EVERY_MS;
        await sleep(Math.max(0, next - now()));
      }
      await Promise.all(pending);
      return rtts;
    };

    await probeFor(1000); // warm-up
    const idle = await probeFor(2000);
    const t0 = now();
    const train = instructor.emitWithAck('command', { type: 'train', epochs: opts.epochs }, 120_000).then((r) => {
      trainMs = now() - t0;
      return r;
    });
    let trainMs = NaN;
    const during = await probeFor(120_000, Promise.race([train, frameSeen]));
    const ack = (await train).args[0] as { ok: boolean; error?: string };
    if (!ack.ok) throw new Error(`train refused: ${ack.error}`);
    // The train frame carries the whole loss history: how long until every student has it.
    const delivered = await gens.waitSeq('students', 1, 300_000);
    const deliveredMs = now() - t0;

    const base = summarize(idle).p50;
    const delays = during.map((x) => x - base);
    const result: EventLoopResult = {
      students: c.ok,
      epochs: opts.epochs,
      idle: summarize(idle),
      training: summarize(during),
      delayP99: round(summarize(delays).p99, 2),
      delayMax: round(summarize(delays).max, 2),
      trainMs: Math.round(trainMs),
      progressEvents,
      refusedProbes: refused,
      probesAfterTraining: afterTraining,
      endOfTraining: summarize(stalled),
      trainFrameDeliveredToAllMs: delivered ? Math.round(deliveredMs) : null,
    };
    printEventLoop(result);
    return result;
  } finally {
    for (const p of probes) p.close();
    instructor?.close();
    await gens?.exit();
    await server.stop();
  }
}

export function printEventLoop(r: EventLoopResult): void {
  console.log(
    table([
      { phase: 'idle', probes: r.idle.n, 'rtt p50 ms': r.idle.p50, 'rtt p95 ms': r.idle.p95, 'rtt p99 ms': r.idle.p99, 'rtt max ms': r.idle.max },
      { phase: `training (${r.trainMs} ms)`, probes: r.training.n, 'rtt p50 ms': r.training.p50, 'rtt p95 ms': r.training.p95, 'rtt p99 ms': r.training.p99, 'rtt max ms': r.training.max },
      { phase: 'end of training (train frame broadcast)', probes: r.endOfTraining.n, 'rtt p50 ms': r.endOfTraining.p50, 'rtt p95 ms': r.endOfTraining.p95, 'rtt p99 ms': r.endOfTraining.p99, 'rtt max ms': r.endOfTraining.max },
    ]),
  );
  console.log(`  event-loop delay while training: p99 ${r.delayP99} ms, max ${r.delayMax} ms; ${r.progressEvents} progress events; ${r.refusedProbes} probes refused (429); the train frame reached all students ${r.trainFrameDeliveredToAllMs} ms after the command`);
}
