/**
 * How much of a pass the gradient check can afford. Each parameter costs two forward passes per
 * row, and a forward pass about one multiply-add per parameter: parameters² × 2 per row.
 */

/** Work allowed per check, in those multiply-adds: about 20 ms, so a render never freezes the page. */
export const CHECK_BUDGET = 2e7;

/** How many of the pass's rows a check can afford for a network of `parameters` parameters (at least one). */
export function affordableRows(parameters: number, passCount: number): number {
  return Math.max(1, Math.min(passCount, Math.floor(CHECK_BUDGET / (2 * parameters * parameters))));
}
