/**
 * The format of a stored event, by number, so a store remembers what wrote each event and a
 * server never folds an event it would misread. The store keeps the number beside each event;
 * the keyframes of a later store build on it.
 *
 * Version 1 is a `LectureEvent` as `decider.ts` defines it: seq, time, the `RecordedCommand` as
 * applied (an uploaded table named by its digest), the class's answers of a reveal, a training's
 * result, and the frame it produced. Every event stored before the number was kept is version 1.
 *
 * Raise the number when an event written by the new code would mean something else to the old
 * code (a field it would ignore but must not, a changed meaning), and teach `evolve` to read
 * both; a change the old code reads correctly (a new command it refuses anyway) needs none.
 */
export const EVENT_FORMAT_VERSION = 1;

/** Why this code cannot fold an event stored in `format`, or null when it can. */
export function eventFormatProblem(format: number, where: { readonly lectureId: string; readonly seq: number }): string | null {
  if (Number.isInteger(format) && format >= 1 && format <= EVENT_FORMAT_VERSION) return null;
  const written = Number.isInteger(format) && format > EVENT_FORMAT_VERSION ? `a newer server (event format ${format})` : `an unknown event format (${format})`;
  return (
    `lecture ${where.lectureId} cannot be loaded: its event ${where.seq} was written by ${written}, and this server reads ` +
    `event formats up to ${EVENT_FORMAT_VERSION}; upgrade this server to load it (nothing was changed)`
  );
}
