/**
 * Bytes on the wire: the socket.io packet (`42["frame",{…}]`, ASCII JSON, so characters = bytes;
 * the WebSocket header adds 2–4 bytes) that a raw student client receives for each command, over the
 * 14 stages of a pass, before and after `train {epochs: 100000}`; the snapshot a joiner receives.
 */
import { NOTEBOOK_MLP_CONFIG } from '../shared/engine/mlp/config.js';
import { mlpLayout } from '../shared/engine/mlp/layout.js';
import type { Command } from '../shared/protocol/commands.js';
import type { Frame } from '../shared/protocol/snapshot.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { now, sleep } from './lib/proc.js';
import { RawClient } from './lib/raw-client.js';
import { mean, round, table } from './lib/stats.js';
import { createLecture, startTarget } from './lib/targets.js';

/** The notebook network's 14 stages, in order (the benchmark's lecture runs it). */
const STAGES = mlpLayout(NOTEBOOK_MLP_CONFIG).stages.map((s) => s.stage);

export interface FrameSizeResult {
  /** Packet bytes per stage for the first pass (from a new lecture), the second, and a pass after training. */
  stages: Array<{ stage: string; pass1: number; pass2: number; afterTraining: number; growth: number }>;
  averagePass1: number;
  averagePass2: number;
  averageAfterTraining: number;
  maxStepGrowthAfterTraining: number;
  /** The largest `loss.append` of any step frame after training (must be ≤ 1: no history resent). */
  maxLossAppendAfterTraining: number;
  otherCommands: Array<{ command: string; bytes: number }>;
  progressBytes: number;
  progressEvents: number;
  snapshotBytesNew: number;
  snapshotBytesAfterSteps: number;
  snapshotBytesAfterTraining: number;
  httpStateBytesAfterTraining: number;
  trainMs: number;
}

async function lateJoinerSnapshot(url: string, lectureId: string): Promise<number> {
  let bytes = 0;
  const got = new Promise<void>((resolve) => {
    void RawClient.connect(url, { protocol: PROTOCOL_VERSION, lectureId }, {
      onEvent: (name, packet) => {
        if (name === 'snapshot') {
          bytes = packet.length;
          resolve();
        }
      },
    }).then((c) => got.then(() => c.close()));
  });
  await got;
  return bytes;
}

export async function runFrameSize(): Promise<FrameSizeResult> {
  console.log('\nframe size: one student, the notebook network');
  const server = await startTarget('server');
  const received: Array<{ name: string; bytes: number; packet: string }> = [];
  const clients: RawClient[] = [];
  try {
    const lecture = await createLecture(server.url);
    const auth = { protocol: PROTOCOL_VERSION, lectureId: lecture.id };
    const snapshotBytesNew = await lateJoinerSnapshot(server.url, lecture.id);
    const student = await RawClient.connect(server.url, auth, { onEvent: (name, packet) => received.push({ name, bytes: packet.length, packet }) });
    const instructor = await RawClient.connect(server.url, { ...auth, token: lecture.instructorToken });
    clients.push(student, instructor);

    let seq = 0;
    /** Sends a command and returns the frame packet the student received for it. */
    const send = async (command: Command): Promise<{ bytes: number; frame: Frame }> => {
      const { args } = await instructor.emitWithAck('command', command, 60_000);
      const ack = args[0] as { ok: boolean; seq: number; error?: string };
      if (!ack.ok) throw new Error(`${command.type}: ${ack.error}`);
      seq = ack.seq;
      const deadline = now() + 5000;
      for (;;) {
        const hit = received.find((r) => r.name === 'frame' && r.packet.startsWith(`42["frame",{"seq":${seq},`));
        if (hit) return { bytes: hit.bytes, frame: (JSON.parse(hit.packet.slice(2)) as [string, Frame])[1] };
        if (now() > deadline) throw new Error(`no frame ${seq}`);
        await sleep(2);
      }
    };
    const pass = async () => {
      const sizes: number[] = [];
      const frames: Frame[] = [];
      for (let i = 0; i < STAGES.length; i++) {
        const r = await send({ type: 'step' });
        sizes.push(r.bytes);
        frames.push(r.frame);
      }
      return { sizes, frames };
    };
    const pass1 = await pass();
    const pass2 = await pass();
    const snapshotBytesAfterSteps = await lateJoinerSnapshot(server.url, lecture.id);

    const otherCommands: Array<{ command: string; bytes: number }> = [];
    const other = async (label: string, command: Command) => otherCommands.push({ command: label, bytes: (await send(command)).bytes });
    await send({ type: 'selectSample', index: 3 }); // a new pass, stage idle
    await other('forward (idle → L)', { type: 'forward' });
    await other('backward (L → dL_dW)', { type: 'backward' });
    await other('update (dL_dW → update)', { type: 'update' });
    await other('update (whole pass)', { type: 'update' });
    await other('back', { type: 'back' });
    await other('selectSample', { type: 'selectSample', index: 5 });
    await other('setLearningRate', { type: 'setLearningRate', value: 0.5 });
    await other('setWeight', { type: 'setWeight', tensor: 'W', index: [1, 2], value: 0.25 });
    await other('reset', { type: 'reset' });

    // Train, then one pass: the step frames must not carry the 100,000-entry loss history.
    received.length = 0;
    const t0 = now();
    const train = await send({ type: 'train', epochs: 100_000 });
    const trainMs = now() - t0;
    otherCommands.push({ command: 'train {epochs: 100000}', bytes: train.bytes });
    const progress = received.filter((r) => r.name === 'progress');
    const snapshotBytesAfterTraining = await lateJoinerSnapshot(server.url, lecture.id);
    const httpStateBytesAfterTraining = (await (await fetch(`${server.url}/api/lectures/${lecture.id}/state`)).text()).length;
    const after = await pass();

    const stages = STAGES.map((stage, i) => ({
      stage,
      pass1: pass1.sizes[i],
      pass2: pass2.sizes[i],
      afterTraining: after.sizes[i],
      growth: after.sizes[i] - pass2.sizes[i],
    }));
    const result: FrameSizeResult = {
      stages,
      averagePass1: round(mean(pass1.sizes), 1),
      averagePass2: round(mean(pass2.sizes), 1),
      averageAfterTraining: round(mean(after.sizes), 1),
      maxStepGrowthAfterTraining: Math.max(...stages.map((s) => s.growth)),
      maxLossAppendAfterTraining: Math.max(...after.frames.map((f) => f.loss.append.length)),
      otherCommands,
      progressBytes: progress.length ? Math.max(...progress.map((p) => p.bytes)) : NaN,
      progressEvents: progress.length,
      snapshotBytesNew,
      snapshotBytesAfterSteps,
      snapshotBytesAfterTraining,
      httpStateBytesAfterTraining,
      trainMs: Math.round(trainMs),
    };
    printFrameSize(result);
    return result;
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

export function printFrameSize(r: FrameSizeResult): void {
  console.log(table([...r.stages, { stage: 'average', pass1: r.averagePass1, pass2: r.averagePass2, afterTraining: r.averageAfterTraining, growth: r.maxStepGrowthAfterTraining }]));
  console.log(table(r.otherCommands));
  console.log(
    table([
      { what: 'snapshot, new lecture', bytes: r.snapshotBytesNew },
      { what: 'snapshot after 28 steps', bytes: r.snapshotBytesAfterSteps },
      { what: 'snapshot after train 100000 (socket.io)', bytes: r.snapshotBytesAfterTraining },
      { what: 'GET /state after train 100000', bytes: r.httpStateBytesAfterTraining },
      { what: `progress event (largest of ${r.progressEvents})`, bytes: r.progressBytes },
      { what: 'largest loss.append in a step frame after training', bytes: r.maxLossAppendAfterTraining },
    ]),
  );
}
