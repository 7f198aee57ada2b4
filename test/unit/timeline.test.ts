/**
 * The mapping between lecture time and player time (asciinema's idle limit): monotonic, exact at
 * every event, invertible where the lecture plays, and the identity (shifted) without a limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stateIndexAt, timelineOf, type Timeline } from '../../shared/lecture/timeline.js';

const T0 = 1_764_000_000_000; // a lecture clock in ms since the epoch, as events carry it

/** Sorted event times: T0 plus non-negative gaps, many short, some long (idle), some equal. */
const gaps = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3_000 }), fc.integer({ min: 3_000, max: 600_000 })), { minLength: 1, maxLength: 60 });
const timesFrom = (gs: readonly number[]) => gs.reduce<number[]>((acc, g) => [...acc, (acc.length ? acc[acc.length - 1] : T0) + g], []);
const limit = fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 10_000 }));
/** Optional narration before the first event and after the last. */
const margins = fc.record({ before: fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }), after: fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }) });

function build(gs: readonly number[], idleLimitMs: number | null, m: { before?: number; after?: number }) {
  const times = timesFrom(gs);
  const start = m.before === undefined ? undefined : times[0] - m.before;
  const end = m.after === undefined ? undefined : times[times.length - 1] + m.after;
  return { times, timeline: timelineOf(times, { idleLimitMs, start, end }), start: start ?? times[0], end: end ?? times[times.length - 1] };
}

/** Whether lecture time t is inside a cut-out part: more than `limit` after the anchor before it. */
function cutOut(anchors: readonly number[], t: number, idleLimitMs: number | null): boolean {
  if (idleLimitMs === null) return false;
  const i = stateIndexAt(anchors, t);
  return i >= 0 && i < anchors.length - 1 && t - anchors[i] > idleLimitMs && t < anchors[i + 1];
}

const PROPERTY_RUNS = { numRuns: 300, seed: 16 };

describe('timelineOf: properties', () => {
  it('is exact at every event, both ways', () => {
    fc.assert(
      fc.property(gaps, limit, margins, (gs, idleLimitMs, m) => {
        const { times, timeline } = build(gs, idleLimitMs, m);
        expect(timeline.eventPlayerTimes.length).toBe(times.length);
        times.forEach((t, i) => {
          expect(timeline.toPlayer(t)).toBe(timeline.eventPlayerTimes[i]);
          expect(timeline.toLecture(timeline.eventPlayerTimes[i])).toBe(t);
        });
      }),
      PROPERTY_RUNS,
    );
  });

  it('is monotonic both ways, and player times stay within [0, duration]', () => {
    fc.assert(
      fc.property(gaps, limit, margins, fc.array(fc.double({ min: -0.1, max: 1.1, noNaN: true }), { minLength: 2, maxLength: 20 }), (gs, idleLimitMs, m, fractions) => {
        const { timeline, start, end } = build(gs, idleLimitMs, m);
        const lectureTimes = fractions.map((f) => start + f * (end - start)).sort((a, b) => a - b);
        const players = lectureTimes.map((t) => timeline.toPlayer(t));
        for (let i = 1; i < players.length; i++) expect(players[i]).toBeGreaterThanOrEqual(players[i - 1]);
        for (const p of players) expect(p >= 0 && p <= timeline.duration).toBe(true);
        const playerTimes = fractions.map((f) => f * timeline.duration).sort((a, b) => a - b);
        const lectures = playerTimes.map((p) => timeline.toLecture(p));
        for (let i = 1; i < lectures.length; i++) expect(lectures[i]).toBeGreaterThanOrEqual(lectures[i - 1]);
        for (const t of lectures) expect(t >= start && t <= end).toBe(true);
      }),
      PROPERTY_RUNS,
    );
  });

  it('player → lecture → player is the identity; lecture → player → lecture too where the lecture plays, and a cut-out moment goes to its gap’s end', () => {
    fc.assert(
      fc.property(gaps, limit, margins, fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 20 }), (gs, idleLimitMs, m, picks) => {
        const { times, timeline, start, end } = build(gs, idleLimitMs, m);
        const anchors = [...new Set([start, ...times, end])].sort((a, b) => a - b);
        for (const pick of picks) {
          const p = (pick / 1_000_000) * timeline.duration;
          // Within a float's step at epoch-ms magnitudes (about 0.0002 ms).
          expect(Math.abs(timeline.toPlayer(timeline.toLecture(p)) - p)).toBeLessThan(1e-3);
          const t = Math.round(start + (pick / 1_000_000) * (end - start));
          const back = timeline.toLecture(timeline.toPlayer(t));
          if (!cutOut(anchors, t, idleLimitMs)) expect(back).toBe(t);
          else expect(back).toBe(anchors[stateIndexAt(anchors, t) + 1]);
        }
      }),
      PROPERTY_RUNS,
    );
  });

  it('shortens each gap to the limit and no other: the duration is the sum of the shortened gaps', () => {
    fc.assert(
      fc.property(gaps, limit, margins, (gs, idleLimitMs, m) => {
        const { times, timeline, start, end } = build(gs, idleLimitMs, m);
        const anchors = [start, ...times, end];
        let expected = 0;
        for (let i = 1; i < anchors.length; i++) expected += Math.min(anchors[i] - anchors[i - 1], idleLimitMs ?? Infinity);
        expect(timeline.duration).toBe(expected);
        if (idleLimitMs === null) expect(timeline.duration).toBe(end - start);
      }),
      PROPERTY_RUNS,
    );
  });

  it('without a limit is lecture time shifted to start at the recording’s start', () => {
    fc.assert(
      fc.property(gaps, margins, fc.integer({ min: 0, max: 1_000_000 }), (gs, m, pick) => {
        const { timeline, start, end } = build(gs, null, m);
        const t = start + Math.round((pick / 1_000_000) * (end - start));
        expect(timeline.toPlayer(t)).toBe(t - start);
        expect(timeline.toLecture(t - start)).toBe(t);
        expect(timeline.start).toBe(start);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('timelineOf: examples', () => {
  // Events at 0 s, 1 s, 61 s (a minute's pause), 62 s; limit 3 s.
  const times = [T0, T0 + 1_000, T0 + 61_000, T0 + 62_000];
  const timeline: Timeline = timelineOf(times, { idleLimitMs: 3_000 });

  it('plays a long pause as the limit: its first 3 s at their pace, the rest cut out', () => {
    expect(timeline.eventPlayerTimes).toEqual([0, 1_000, 4_000, 5_000]);
    expect(timeline.duration).toBe(5_000);
    expect(timeline.toPlayer(T0 + 2_500)).toBe(2_500);
    expect(timeline.toPlayer(T0 + 4_000)).toBe(4_000); // the last moment that plays
    expect(timeline.toPlayer(T0 + 30_000)).toBe(4_000); // cut out: the moment the next event comes
    expect(timeline.toLecture(3_999)).toBe(T0 + 3_999);
    expect(timeline.toLecture(4_000)).toBe(T0 + 61_000);
    expect(timeline.toLecture(4_500)).toBe(T0 + 61_500);
  });

  it('clamps moments outside the recording to its ends, and NaN to its start', () => {
    expect(timeline.toPlayer(T0 - 5_000)).toBe(0);
    expect(timeline.toPlayer(T0 + 1e9)).toBe(5_000);
    expect(timeline.toLecture(-3)).toBe(T0);
    expect(timeline.toLecture(1e12)).toBe(T0 + 62_000);
    expect(timeline.toPlayer(NaN)).toBe(0);
    expect(timeline.toLecture(NaN)).toBe(T0);
  });

  it('starts earlier and ends later with narration, shortening those gaps alike', () => {
    const voiced = timelineOf(times, { idleLimitMs: null, start: T0 - 10_000, end: T0 + 70_000 });
    expect(voiced.start).toBe(T0 - 10_000);
    expect(voiced.eventPlayerTimes).toEqual([10_000, 11_000, 71_000, 72_000]);
    expect(voiced.duration).toBe(80_000);
    const silent = timelineOf(times, { idleLimitMs: 3_000, start: T0 - 10_000, end: T0 + 70_000 });
    expect(silent.eventPlayerTimes).toEqual([3_000, 4_000, 7_000, 8_000]);
    expect(silent.duration).toBe(11_000);
    // A start after the first event, or an end before the last, changes nothing.
    expect(timelineOf(times, { idleLimitMs: 3_000, start: T0 + 500, end: T0 }).eventPlayerTimes).toEqual([0, 1_000, 4_000, 5_000]);
  });

  it('a limit that is no positive finite number shortens nothing', () => {
    for (const idleLimitMs of [0, -5, NaN, Infinity]) expect(timelineOf(times, { idleLimitMs }).duration).toBe(62_000);
  });

  it('reads times out of order (a clock stepped back) and not finite as the one before', () => {
    const odd = timelineOf([T0, T0 + 5_000, T0 + 2_000, NaN, T0 + 6_000], { idleLimitMs: null });
    expect(odd.eventPlayerTimes).toEqual([0, 5_000, 5_000, 5_000, 6_000]);
  });

  it('a recording without events is its narration, or nothing', () => {
    expect(timelineOf([], { idleLimitMs: null, start: T0, end: T0 + 9_000 }).duration).toBe(9_000);
    const none = timelineOf([], { idleLimitMs: 3_000 });
    expect([none.duration, none.toPlayer(T0), none.eventPlayerTimes.length]).toEqual([0, 0, 0]);
  });
});

describe('stateIndexAt', () => {
  it('is the last event at or before the moment, −1 before the first', () => {
    const times = [10, 20, 20, 30];
    expect([5, 10, 15, 20, 25, 30, 99, NaN, -Infinity, Infinity].map((t) => stateIndexAt(times, t))).toEqual([-1, 0, 0, 2, 2, 3, 3, -1, -1, 3]);
    expect(stateIndexAt([], 5)).toBe(-1);
  });

  it('agrees with a linear scan', () => {
    fc.assert(
      fc.property(gaps, fc.integer({ min: -1_000, max: 2_000_000 }), (gs, offset) => {
        const times = timesFrom(gs);
        const t = T0 + offset;
        let expected = -1;
        times.forEach((x, i) => {
          if (x <= t) expected = i;
        });
        expect(stateIndexAt(times, t)).toBe(expected);
      }),
      PROPERTY_RUNS,
    );
  });
});
