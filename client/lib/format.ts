/** Numbers as the notebook prints them: 4 decimals, with a real minus sign and no "-0.0000". */
export function fmt(x: number | undefined, digits = 4): string {
  if (x === undefined) return '';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '∞' : '−∞';
  const rounded = x.toFixed(digits);
  // toFixed keeps the sign of tiny negatives ("-0.0000"), which reads as a non-zero value.
  if (Number(rounded) === 0) return (0).toFixed(digits);
  return rounded.replace('-', '−');
}

/** Full precision, for titles and screen readers. */
export function full(x: number): string {
  return String(x).replace('-', '−');
}

/**
 * A number for an accessible name: what the cell shows first (so voice control users can say what
 * they see, WCAG 2.5.3), then the full value when the shown one is rounded.
 */
export function spoken(x: number): string {
  const shown = fmt(x);
  return Number(shown.replace('−', '-')) === x ? shown : `${shown} (exactly ${full(x)})`;
}

/** A lecture code as shown to people: "K7QF2M" → "K7Q-F2M", easier to read aloud. */
export function displayCode(id: string): string {
  return id.length === 6 ? `${id.slice(0, 3)}-${id.slice(3)}` : id;
}
