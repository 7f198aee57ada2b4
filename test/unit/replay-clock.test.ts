/**
 * The replay's clock parts that need no browser: the narration's stretches of lecture time with
 * audio (chunks joined, a pause in a take honoured, nonsense left out), the mapping between
 * lecture time and audio time, the timeline that shortens pauses except where the voice speaks,
 * and the `?t=` / `?seq=` moments a link opens and writes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { audioSecondsAt, lectureTimeAt, narrationEnd, narrationSegments, segmentAt } from '../../client/lib/narration-segments.js';
import { playerTimeline } from '../../client/lib/player-timeline.js';
import { momentLink, momentText, readMoment } from '../../client/lib/replay-moment.js';
import { stateIndexAt } from '../../shared/lecture/timeline.js';
import type { Recording } from '../../shared/protocol/http.js';
import type { NarrationChunkInfo, NarrationInfo } from '../../shared/protocol/narration.js';

const T0 = 1_700_000_000_000;

function chunk(index: number, at: number, audioAt: number, duration: number): NarrationChunkInfo {
  return { index, at, audioAt, duration, bytes: 100 };
}

function info(...takes: { take: number; startedAt: number; chunks: NarrationChunkInfo[] }[]): NarrationInfo {
  return { takes: takes.map((t) => ({ ...t, mime: 'audio/webm', durationMs: 0, bytes: 0 })), bytes: 0, maxBytes: 1 };
}

describe('narrationSegments', () => {
  it('joins chunks that follow one another on both clocks, within a timeslice\'s jitter, in index order', () => {
    const segments = narrationSegments(info({ take: 1, startedAt: T0, chunks: [chunk(2, 6010, 6000, 3000), chunk(0, 0, 0, 3000), chunk(1, 3040, 3000, 3000)] }));
    expect(segments).toEqual([{ take: 1, start: T0, end: T0 + 9000, audioStart: 0 }]);
  });

  it('a pause inside a take (the wall runs ahead of the audio) begins another stretch, at the same audio', () => {
    const segments = narrationSegments(info({ take: 1, startedAt: T0, chunks: [chunk(0, 0, 0, 3000), chunk(1, 5000, 3000, 3000)] }));
    expect(segments).toEqual([
      { take: 1, start: T0, end: T0 + 3000, audioStart: 0 },
      { take: 1, start: T0 + 5000, end: T0 + 8000, audioStart: 3000 },
    ]);
    // In the pause there is nothing to hear; either side, the audio is where the chunks put it.
    expect(segmentAt(segments, T0 + 4000)).toBeNull();
    expect(audioSecondsAt(segmentAt(segments, T0 + 2000)!, T0 + 2000)).toBe(2);
    expect(audioSecondsAt(segmentAt(segments, T0 + 6500)!, T0 + 6500)).toBe(4.5);
    expect(lectureTimeAt(segments[1], 4.5)).toBe(T0 + 6500);
    expect(narrationEnd(segments)).toBe(T0 + 8000);
  });

  it('takes are ordered by their start on the lecture clock; a missing chunk leaves a gap', () => {
    const segments = narrationSegments(
      info({ take: 2, startedAt: T0 + 60_000, chunks: [chunk(0, 0, 0, 1000)] }, { take: 1, startedAt: T0, chunks: [chunk(0, 0, 0, 1000), chunk(2, 2000, 2000, 1000)] }),
    );
    expect(segments.map((s) => [s.take, s.start - T0])).toEqual([
      [1, 0],
      [1, 2000],
      [2, 60_000],
    ]);
  });

  it('leaves out what does not add up: negative, non-finite or empty chunks, a take without a start', () => {
    const bad = [chunk(0, -5, 0, 1000), chunk(1, Number.NaN, 0, 1000), chunk(2, 0, 0, 0), chunk(3, 0, Infinity, 1000)];
    expect(narrationSegments(info({ take: 1, startedAt: T0, chunks: bad }, { take: 2, startedAt: Number.NaN, chunks: [chunk(0, 0, 0, 1000)] }))).toEqual([]);
    expect(narrationEnd([])).toBeNull();
  });

  it('lecture → audio → lecture is the identity inside a stretch (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 600_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (audioStart, length, f) => {
        const s = { take: 1, start: T0 + 5000, end: T0 + 5000 + length, audioStart };
        const t = s.start + Math.floor(f * (length - 1));
        expect(Math.abs(lectureTimeAt(s, audioSecondsAt(s, t)) - t)).toBeLessThan(1e-3);
      }),
    );
  });
});

describe('playerTimeline', () => {
  const events = [T0, T0 + 500, T0 + 20_500, T0 + 21_000];

  it('shortens a long pause to the limit, and leaves every event where the mapping says', () => {
    const timeline = playerTimeline(T0, events, T0 + 21_000, [], 3000);
    expect(timeline.duration).toBe(500 + 3000 + 500);
    expect(events.map((t) => timeline.toPlayer(t))).toEqual([0, 500, 3500, 4000]);
  });

  it('does not shorten a pause while the narration speaks, and still shortens one where nobody does', () => {
    // The voice covers the first 12 s of the 20 s pause; the last 8 s are silent.
    const voiced = [{ take: 1, start: T0 + 500, end: T0 + 12_500, audioStart: 0 }];
    const timeline = playerTimeline(T0, events, T0 + 21_000, voiced, 3000);
    expect(timeline.toPlayer(T0 + 12_500)).toBe(12_500);
    expect(timeline.duration).toBe(12_500 + 3000 + 500);
    // Inside the voice, player time runs with lecture time: audio and state stay together.
    for (const t of [T0 + 1000, T0 + 6000, T0 + 12_000]) expect(timeline.toLecture(timeline.toPlayer(t))).toBe(t);
  });

  it('no limit: player time is lecture time from the start', () => {
    const timeline = playerTimeline(T0, events, T0 + 21_000, [], null);
    expect(timeline.duration).toBe(21_000);
  });
});

describe('moments', () => {
  const recording = {
    lecture: { id: 'ABC123', title: '', createdAt: T0 - 1000, eventCount: 3, initial: { seq: 0 } },
    events: [{ seq: 1, at: T0 }, { seq: 2, at: T0 + 1600 }, { seq: 3, at: T0 + 1900 }],
  } as unknown as Recording;
  const times = recording.events.map((e) => e.at);
  const shows = (t: number) => stateIndexAt(times, t) + 1;

  it('?t= is lecture time since the origin; ?seq= an event; t first; nonsense opens at the start', () => {
    expect(readMoment('?t=1.7', recording, T0)).toEqual({ time: T0 + 1700 });
    expect(readMoment('?seq=2', recording, T0)).toEqual({ position: 2 });
    expect(readMoment('?seq=2&t=0:01', recording, T0)).toEqual({ time: T0 + 1000 });
    expect(readMoment('?seq=99', recording, T0)).toEqual({ position: 3 });
    for (const q of ['', '?seq=0', '?seq=-1', '?seq=1e1', '?t=__proto__', '?t=-3', `?t=${'9'.repeat(10_000)}`]) expect(readMoment(q, recording, T0)).toBeNull();
  });

  it('a link reopens the state shown: whole seconds when they do, a fraction when the second holds another event', () => {
    // At event 1 (0 s): "00:00" shows it.
    expect(momentText(T0, T0, shows, 1)).toBe('00:00');
    // At event 2 (1.6 s): "00:01" would show event 1, "00:02" event 3: the tenth it is.
    expect(momentText(T0 + 1600, T0, shows, 2)).toBe('00:01.6');
    // Between events 2 and 3 (1.7 s, showing event 2): likewise.
    expect(momentText(T0 + 1700, T0, shows, 2)).toBe('00:01.7');
    // At event 3 (1.9 s): rounded up, "00:02" shows it.
    expect(momentText(T0 + 1900, T0, shows, 3)).toBe('00:02');
    // The lecture as created, at its first event's time: no t shows it; ?seq=0 does.
    expect(momentText(T0, T0, shows, 0)).toBeNull();
    expect(momentLink('https://x.example', 'replay', 'ABC123', { t: null, seq: 0 })).toBe('https://x.example/replay/ABC123?seq=0');
    expect(momentLink('https://x.example', 'embed', 'ABC123', { t: '00:02', seq: 3 })).toBe('https://x.example/embed/ABC123?t=00:02');
  });
});
