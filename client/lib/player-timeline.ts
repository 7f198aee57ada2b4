/**
 * The replay's timeline (shared/lecture/timeline.ts) with the narration kept whole: an idle
 * pause is shortened only where nobody speaks, so the voice and the state stay together while
 * the narration plays and a silent wait between takes still plays short.
 */
import { timelineOf, type Timeline } from '../../shared/lecture/timeline.js';
import type { NarrationSegment } from './narration-segments.js';

/**
 * The timeline from `start` to `end` (lecture time) through the events at `times`, pauses longer
 * than `idleLimit` ms shortened except inside the `voiced` segments (null: none shortened).
 */
export function playerTimeline(start: number, times: readonly number[], end: number, voiced: readonly NarrationSegment[], idleLimit: number | null): Timeline {
  const anchors = idleLimit !== null && voiced.length > 0 ? withVoicedAnchors(times, voiced, idleLimit) : times;
  return timelineOf(anchors, { idleLimitMs: idleLimit, start, end });
}

/**
 * The events' times with anchors through every voiced segment no further apart than the limit:
 * timelineOf shortens only gaps between anchors, so none inside a segment is shortened.
 */
function withVoicedAnchors(times: readonly number[], voiced: readonly NarrationSegment[], idleLimit: number): number[] {
  const fill: number[] = [];
  for (const s of voiced) {
    for (let t = s.start; t < s.end; t += idleLimit / 2) fill.push(t);
    fill.push(s.end);
  }
  return [...times, ...fill].sort((a, b) => a - b);
}
