/**
 * Replay: load a 100,000-event recording (parse its JSON, index it with keyframes, name its
 * chapters, map its times to the player's with the idle limit) and seek to random events. The recording is made in this process by the same decider the server runs, and
 * serialised exactly as GET /api/lectures/:id/recording serves it.
 */
import { createLecture, decide, evolve } from '../shared/lecture/decider.js';
import { ReplayIndex } from '../shared/lecture/replay-index.js';
import { chaptersOf } from '../shared/lecture/chapters.js';
import { timelineOf } from '../shared/lecture/timeline.js';
import { frameBetween, toSnapshot } from '../shared/lecture/views.js';
import type { Command } from '../shared/protocol/commands.js';
import type { Recording } from '../shared/protocol/http.js';
import { percentile, round, table } from './lib/stats.js';

export interface ReplayResult {
  events: number;
  recordingBytes: number;
  parseMs: number;
  indexMs: number;
  chaptersMs: number;
  chapters: number;
  timelineMs: number;
  keyframeInterval: number;
  seeks: number;
  seekP50Ms: number;
  seekP99Ms: number;
  seekMaxMs: number;
}

/** A long lecture: stepping through passes, with an occasional back and a short training. */
function makeRecording(events: number): string {
  let state = createLecture({ lectureId: 'BENCH2', title: 'replay bench', preset: 'notebook', seed: 0, learningRate: 1 });
  const initial = toSnapshot(state);
  const parts: string[] = [];
  for (let i = 0; i < events; i++) {
    const command: Command = i % 997 === 996 ? { type: 'train', epochs: 20 } : i % 101 === 100 ? { type: 'back' } : { type: 'step' };
    const d = decide(state, command, { now: 1_800_000_000_000 + i * 1000, newSeed: () => 1 });
    if (!d.ok) throw new Error(d.error);
    const next = evolve(state, d.event);
    const frame = frameBetween(state, next, d.event);
    parts.push(JSON.stringify({ seq: frame.seq, at: frame.at, command: frame.command, frame }));
    state = next;
  }
  const lecture = { id: 'BENCH2', title: 'replay bench', createdAt: 0, eventCount: events, initial };
  return `{"lecture":${JSON.stringify(lecture)},"events":[${parts.join(',')}]}`;
}

export function runReplay(events = 100_000, seeks = 2000): ReplayResult {
  console.log(`\nreplay: load and seek in a ${events.toLocaleString('en-US')}-event recording`);
  const json = makeRecording(events);
  let t0 = performance.now();
  const recording = JSON.parse(json) as Recording;
  const parseMs = performance.now() - t0;
  t0 = performance.now();
  const index = new ReplayIndex(recording.lecture.initial, recording.events.map((e) => e.frame));
  const indexMs = performance.now() - t0;
  t0 = performance.now();
  const chapters = chaptersOf(recording.events, recording.lecture.initial);
  const chaptersMs = performance.now() - t0;
  t0 = performance.now();
  timelineOf(recording.events.map((e) => e.at), { idleLimitMs: 3000 });
  const timelineMs = performance.now() - t0;
  const times: number[] = [];
  let x = 12345;
  for (let i = 0; i < seeks; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const seq = x % (events + 1);
    const s0 = performance.now();
    const snapshot = index.at(seq);
    times.push(performance.now() - s0);
    if (snapshot.seq !== seq) throw new Error(`seek to ${seq} gave ${snapshot.seq}`);
  }
  const result: ReplayResult = {
    events,
    recordingBytes: json.length,
    parseMs: round(parseMs, 1),
    indexMs: round(indexMs, 1),
    chaptersMs: round(chaptersMs, 1),
    chapters: chapters.length,
    timelineMs: round(timelineMs, 1),
    keyframeInterval: index.interval,
    seeks,
    seekP50Ms: round(percentile(times, 50), 3),
    seekP99Ms: round(percentile(times, 99), 3),
    seekMaxMs: round(Math.max(...times), 3),
  };
  console.log(table([result as unknown as Record<string, unknown>]));
  return result;
}
