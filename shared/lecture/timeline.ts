/**
 * A recording's two clocks. Lecture time is the lecture's own clock (ms since the epoch, as its
 * events' `at` and its narration's chunks carry it); player time is what a replay's timeline
 * shows, ms from 0 at the recording's start. Like asciinema's idle_time_limit, a gap between two
 * events longer than the idle limit plays as the limit: its first `limit` ms at their own pace,
 * the rest cut out. With no limit (null: while narration plays, so the voice and the state stay
 * together) player time is lecture time shifted to start at the recording's start.
 *
 * The recording's start is its first event unless the caller names an earlier `start` (the
 * narration's first chunk, when the instructor spoke before the first command), and its end is
 * its last event unless the caller names a later `end` (the narration's last chunk). The gap
 * from the start to the first event, and from the last event to the end, are shortened alike.
 *
 * The mapping is monotonic, exact at every event (toLecture(eventPlayerTimes[i]) = eventTimes[i]),
 * and player → lecture → player is the identity. Lecture → player → lecture is the identity in
 * the parts that play; a time in a cut-out part maps to the player time of the event that ends
 * the gap (the playhead there shows that event, as it would a moment later).
 */

export interface TimelineOptions {
  /**
   * A gap between events longer than this many ms plays as this long. null (or anything but a
   * positive finite number, which would play events at one instant) shortens no gap.
   */
  readonly idleLimitMs: number | null;
  /** The recording's start on the lecture clock, if before the first event (narration started first). */
  readonly start?: number;
  /** The recording's end on the lecture clock, if after the last event (narration went on). */
  readonly end?: number;
}

export interface Timeline {
  /** The recording's start on the lecture clock: player time 0. */
  readonly start: number;
  /** Player time, ms, of the recording's end. */
  readonly duration: number;
  /** Each event's player time, in the order given (non-decreasing). */
  readonly eventPlayerTimes: readonly number[];
  /** The player time of a lecture-clock moment (clamped to the recording). */
  toPlayer(lectureMs: number): number;
  /** The lecture-clock moment of a player time (clamped to the recording). */
  toLecture(playerMs: number): number;
}

/**
 * The timeline of a recording whose events happened at `eventTimes` (lecture clock, in order;
 * a time earlier than the one before, as a clock stepped back could give, counts as the one
 * before, and a time that is not a finite number as the one before too).
 */
export function timelineOf(eventTimes: readonly number[], options: TimelineOptions): Timeline {
  const limit = options.idleLimitMs !== null && options.idleLimitMs > 0 && Number.isFinite(options.idleLimitMs) ? options.idleLimitMs : Infinity;
  const { anchors: lecture, firstEvent } = anchorsOf(eventTimes, options);
  // player[i]: the player time of lecture[i]; each gap plays at most `limit` ms.
  const player = new Array<number>(lecture.length);
  player[0] = 0;
  for (let i = 1; i < lecture.length; i++) player[i] = player[i - 1] + Math.min(lecture[i] - lecture[i - 1], limit);
  const eventPlayerTimes = eventTimes.map((_, i) => player[i + firstEvent]);
  const last = lecture.length - 1;
  return {
    start: lecture[0],
    duration: player[last],
    eventPlayerTimes,
    toPlayer(lectureMs) {
      if (!(lectureMs > lecture[0])) return 0;
      if (lectureMs >= lecture[last]) return player[last];
      const i = lastAtOrBefore(lecture, lectureMs);
      return Math.min(player[i] + (lectureMs - lecture[i]), player[i + 1]);
    },
    toLecture(playerMs) {
      if (!(playerMs > 0)) return lecture[0];
      if (playerMs >= player[last]) return lecture[last];
      // The last anchor at or before: of anchors at one player time (a cut-out gap ends on its event), the latest.
      const i = lastAtOrBefore(player, playerMs);
      return lecture[i] + (playerMs - player[i]);
    },
  };
}

/**
 * The lecture-clock moments the timeline is made of: the start, every event (never earlier than
 * the one before), the end; and the index of the first event among them. Always at least one
 * anchor: a recording without events spans its start to its end (or is the one moment 0).
 */
function anchorsOf(eventTimes: readonly number[], options: TimelineOptions): { readonly anchors: number[]; readonly firstEvent: number } {
  const events: number[] = [];
  for (const t of eventTimes) {
    const finite = Number.isFinite(t) ? t : (events[events.length - 1] ?? 0);
    events.push(events.length === 0 ? finite : Math.max(finite, events[events.length - 1]));
  }
  const givenStart = options.start !== undefined && Number.isFinite(options.start) ? options.start : undefined;
  const givenEnd = options.end !== undefined && Number.isFinite(options.end) ? options.end : undefined;
  const anchors = [...events];
  const startsEarlier = givenStart !== undefined && (anchors.length === 0 || givenStart < anchors[0]);
  if (startsEarlier) anchors.unshift(givenStart);
  if (anchors.length === 0) anchors.push(givenEnd ?? 0);
  if (givenEnd !== undefined && givenEnd > anchors[anchors.length - 1]) anchors.push(givenEnd);
  return { anchors, firstEvent: startsEarlier ? 1 : 0 };
}

/**
 * The index of the last of `times` (non-decreasing) at or before `t`; −1 when `t` is before
 * them all (NaN too). Binary search: the replay's "which state is on show at the playhead", the
 * last event at or before it, with −1 for the lecture as created.
 */
export function stateIndexAt(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length; // the answer + 1 is in [lo, hi]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** `stateIndexAt` clamped to 0: the anchor a moment inside the timeline falls in. */
function lastAtOrBefore(times: readonly number[], t: number): number {
  return Math.max(0, stateIndexAt(times, t));
}
