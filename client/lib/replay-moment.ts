/**
 * The replay's address: `?t=` (a lecture time, shared/protocol/moment-link.ts) or `?seq=N` (the
 * moment right after event N) opens a moment; "Copy link to this moment" writes one. `t` counts
 * from the replay's origin (ReplayController.origin: the recording's first event, or the start of
 * its narration when the voice began first), so a link opens at the same moment for everyone,
 * whatever their idle limit.
 */
import type { Recording } from '../../shared/protocol/http.js';
import { formatMoment, parseMoment, parseSeq } from '../../shared/protocol/moment-link.js';

/** Where an address opens: a lecture time (server ms), an event position, or the start. */
export type OpenMoment = { readonly time: number } | { readonly position: number } | null;

/** The moment `?t=` (first) or `?seq=` names in this recording; null opens at the start. */
export function readMoment(search: string, recording: Recording, origin: number): OpenMoment {
  const params = new URLSearchParams(search);
  const t = parseMoment(params.get('t'));
  if (t !== null) return { time: origin + t };
  const events = recording.events;
  const lastSeq = events.length ? events[events.length - 1].seq : recording.lecture.initial.seq;
  const seq = parseSeq(params.get('seq'), lastSeq);
  if (seq === null || seq <= recording.lecture.initial.seq) return null;
  const index = events.findIndex((e) => e.seq >= seq);
  return { position: index < 0 ? events.length : events[index].seq === seq ? index + 1 : index };
}

/**
 * The `t` that reopens this moment: whole seconds when the second holds no other event (either
 * way the same state shows), else to the tenth, else to the millisecond; null when no time does
 * (events that share their millisecond, or the lecture as created at its first event's time):
 * then only `?seq=` names the moment.
 */
export function momentText(playhead: number, origin: number, shows: (t: number) => number, position: number): string | null {
  const since = Math.max(0, playhead - origin);
  for (const digits of [0, 1, 3] as const) {
    const text = formatMoment(since, digits);
    const back = parseMoment(text);
    if (back !== null && shows(origin + back) === position) return text;
    // Rounded up instead of down: a link to an event that ran 0.6 s into its second.
    const unit = 10 ** (3 - digits);
    const up = formatMoment(Math.ceil(since / unit) * unit, digits);
    const upBack = parseMoment(up);
    if (upBack !== null && shows(origin + upBack) === position) return up;
  }
  return null;
}

/** A link to this moment of the replay (`?t=`, else `?seq=`), on the site's public base; `page` is replay or embed. */
export function momentLink(base: string, page: 'replay' | 'embed', lectureId: string, moment: { t: string | null; seq: number }): string {
  const query = moment.t !== null ? `t=${moment.t}` : `seq=${moment.seq}`;
  return `${base}/${page}/${encodeURIComponent(lectureId)}?${query}`;
}
