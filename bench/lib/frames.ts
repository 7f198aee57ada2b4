/** Frames computed with the server's own code (the decider and frameBetween), without a server. */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLecture, decide, evolve } from '../../shared/lecture/decider.js';
import { frameBetween } from '../../shared/lecture/views.js';
import type { Command } from '../../shared/protocol/commands.js';
import type { Frame } from '../../shared/protocol/snapshot.js';

/** The frames of `count` `step` commands from a new notebook lecture (the first pass starts at `input`). */
export function stepFrames(count = 14, before: Command[] = []): Frame[] {
  let state = createLecture({ lectureId: 'BENCH2', title: 'bench', preset: 'notebook', seed: 0, learningRate: 1 });
  const frames: Frame[] = [];
  const ctx = { now: Date.now(), newSeed: () => 1 };
  for (const command of [...before, ...Array.from({ length: count }, (): Command => ({ type: 'step' }))]) {
    const d = decide(state, command, ctx);
    if (!d.ok) throw new Error(d.error);
    const next = evolve(state, d.event);
    frames.push(frameBetween(state, next, d.event));
    state = next;
  }
  return frames.slice(before.length);
}

/** Writes one pass of step frames for the relays (RELAY_FRAMES) and returns the file. */
export function writeRelayFrames(): string {
  const path = join(tmpdir(), `backprop-bench-frames-${process.pid}.json`);
  // The second pass: its `input` frame also clears the first pass's tensors, as in a running lecture.
  writeFileSync(path, JSON.stringify(stepFrames(14, Array.from({ length: 14 }, () => ({ type: 'step' as const })))));
  return path;
}

/** socket.io packet length of an event, as a raw client sees it on the wire (ASCII JSON: chars = bytes). */
export function packetLength(event: string, payload: unknown): number {
  return `42${JSON.stringify([event, payload])}`.length;
}
