/**
 * A moment of a recorded lecture as a link carries it: `/replay/:id?t=1:30` (or `/embed/:id?t=…`).
 *
 * `t` is lecture time since the recording's start (its first event, or the narration's first
 * chunk when the instructor spoke before the first command), on the lecture's own clock (the `at`
 * of its events): not player time. The player shortens idle gaps by a limit each viewer may set
 * (and not at all while narration plays), so the same player time is another moment for another
 * viewer; lecture time is one moment for everyone. `?t=0` opens at the start; a time past the end
 * opens at the end. Links are to the second by default (formatMoment), so a link to an event
 * 0.6 s into its second opens on the event before it: a player that links to an event writes the
 * fraction (`digits`) or rounds up, and `?seq=N` names an event exactly.
 */

/** The latest moment a link may name: a week. Anything longer is not a lecture, and is refused. */
export const MAX_MOMENT_MS = 7 * 24 * 3600 * 1000;
/** The longest text parseMoment reads ("168:00:00.000" is 13): longer input is refused unread. */
const MAX_MOMENT_TEXT = 24;

/**
 * A duration as a link and a clock show it: "00:05", "01:30", "59:59", past an hour "1:02:03".
 * Whole seconds, rounded down, unless `digits` (1 to 3) asks for a fraction: "01:30.6".
 * Negative, NaN or infinite input reads as 0, and anything past MAX_MOMENT_MS as MAX_MOMENT_MS.
 */
export function formatMoment(ms: number, digits: 0 | 1 | 2 | 3 = 0): string {
  const clamped = Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_MOMENT_MS) : 0;
  const unit = 10 ** (3 - digits);
  const totalUnits = Math.floor(clamped / unit);
  const wholeSeconds = Math.floor((totalUnits * unit) / 1000);
  const fraction = digits === 0 ? '' : `.${String(totalUnits % 10 ** digits).padStart(digits, '0')}`;
  const hours = Math.floor(wholeSeconds / 3600);
  const minutes = Math.floor(wholeSeconds / 60) % 60;
  const seconds = `${String(wholeSeconds % 60).padStart(2, '0')}${fraction}`;
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${String(minutes).padStart(2, '0')}:${seconds}`;
}

const CLOCK = /^(?:(\d{1,3}):)?(\d{1,5}):(\d{1,2}(?:\.\d{1,3})?)$/;
const SECONDS = /^(\d{1,9}(?:\.\d{1,3})?)$/;
const UNITS = /^(?:(\d{1,3})h)?(?:(\d{1,5})m)?(?:(\d{1,9}(?:\.\d{1,3})?)s)?$/;

/**
 * The moment a link's `t` names, in ms (whole), or null when it names none. Accepted:
 * "mm:ss" and "m:ss" ("1:30", "90:00": the first field may pass 59), "h:mm:ss" ("1:02:03"),
 * plain seconds ("90", "90.5"), and units ("1m30s", "1h2m", "45s"); seconds may carry up to 3
 * decimals; spaces around are ignored. Anything else (a sign, "1:75", "__proto__", a non-string,
 * a 10 KB string, a moment past MAX_MOMENT_MS) is null: the player then opens at the start.
 */
export function parseMoment(text: unknown): number | null {
  if (typeof text !== 'string' || text.length > MAX_MOMENT_TEXT) return null;
  const t = text.trim();
  if (t.length === 0) return null;
  const clock = CLOCK.exec(t);
  if (clock) {
    const [, h, m, s] = clock;
    if (Number(s) >= 60 || (h !== undefined && Number(m) >= 60)) return null;
    return bounded(Number(h ?? 0), Number(m), Number(s));
  }
  const plain = SECONDS.exec(t);
  if (plain) return bounded(0, 0, Number(plain[1]));
  const units = UNITS.exec(t);
  if (units && (units[1] ?? units[2] ?? units[3]) !== undefined) return bounded(Number(units[1] ?? 0), Number(units[2] ?? 0), Number(units[3] ?? 0));
  return null;
}

function bounded(hours: number, minutes: number, seconds: number): number | null {
  const ms = Math.round(((hours * 60 + minutes) * 60 + seconds) * 1000);
  return Number.isSafeInteger(ms) && ms <= MAX_MOMENT_MS ? ms : null;
}

/**
 * The event a link's `seq` names, or null: a whole number written in digits only ("12"; not
 * "1e1", "+3", "0x10" or " 4"), 0 being the lecture as created; past `lastSeq` it opens at the
 * end, as a `t` past the end does.
 */
export function parseSeq(text: unknown, lastSeq: number): number | null {
  if (typeof text !== 'string' || !/^\d{1,15}$/.test(text)) return null;
  return Math.min(Number(text), Math.max(0, lastSeq));
}
