/**
 * Which of a stage's equation lines a projector display shows: nobody can scroll a wall, so it
 * shows whole lines only, as many as fit, and says how many it left out.
 */

export interface LineFit {
  /** Positions of the lines shown, in order. */
  readonly shown: readonly number[];
  /** How many lines are left out (0: all shown, no note). */
  readonly more: number;
}

/**
 * All the lines when their heights fit in `room`; otherwise the lines that must be seen (the
 * spotlit element's, the asked element's) first, then the others from the top while they
 * still fit with the note ("+ N more lines") under them. A line that does not fit whole is left
 * out rather than cut; so none may be shown when the room is smaller than a line and the note.
 */
export function fitLines(heights: readonly number[], room: number, noteHeight: number, must: readonly number[] = []): LineFit {
  const all = heights.map((_, k) => k);
  // Half a pixel for the rounding of fractional layout sizes.
  const slack = 0.5;
  if (sum(heights) <= room + slack) return { shown: all, more: 0 };
  const chosen = new Set<number>();
  let used = noteHeight;
  const take = (k: number): boolean => {
    if (chosen.has(k)) return true;
    if (used + heights[k] > room + slack) return false;
    chosen.add(k);
    used += heights[k];
    return true;
  };
  for (const k of must) if (k >= 0 && k < heights.length) take(k);
  // The others from the top, up to the first that does not fit: no gaps among them.
  for (const k of all) if (!take(k)) break;
  const shown = all.filter((k) => chosen.has(k));
  return { shown, more: heights.length - shown.length };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** The note under the lines shown: "+ 3 more lines on your screens" (every line: "12 lines on your screens"). */
export function moreLinesText(fit: LineFit): string {
  const lines = `line${fit.more === 1 ? '' : 's'}`;
  return fit.shown.length === 0 ? `${fit.more} ${lines} on your screens` : `+ ${fit.more} more ${lines} on your screens`;
}
