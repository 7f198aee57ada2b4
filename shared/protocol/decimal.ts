/**
 * Numbers as people type them, for every numeric field of the app. A browser's type=number
 * field drops what it does not understand (`0,01` became `001`, sent as 1), so fields are text
 * and this one parser reads them: a point or a comma as the decimal separator, an optional sign
 * (the typographic minus − too), an optional exponent. Anything else is refused with a sentence
 * saying why, never guessed at: the value returned is always the number the person sees.
 */

export type DecimalResult = { ok: true; value: number } | { ok: false; error: string };

export interface DecimalOptions {
  /** Whole numbers only (epochs, seeds, a row's number): `2.5` is refused with the reason. */
  integer?: boolean;
  min?: number;
  max?: number;
}

const SIGN = '[+\\-\u2212]';
/** sign, digits, one separator and digits (either side may be empty, not both), exponent. */
const NUMBER = new RegExp(`^(${SIGN})?(\\d*)(?:([.,])(\\d*))?(?:[eE](${SIGN})?(\\d+))?$`);
const EXAMPLE = 'e.g. 0.5, 0,5, -2 or 1e-3';

const refuse = (error: string): DecimalResult => ({ ok: false, error });

/** Reads `text` as a decimal number, or says in a sentence why it cannot. */
export function parseDecimal(text: string, options: DecimalOptions = {}): DecimalResult {
  const raw = text.trim();
  if (raw === '') return refuse(`Type a number, ${EXAMPLE}.`);
  const m = NUMBER.exec(raw);
  if (!m) return refuse(whyNotANumber(raw));
  const [, sign, whole = '', , fraction = '', expSign, exponent] = m;
  if (whole === '' && fraction === '') return refuse(`Type some digits, ${EXAMPLE}.`);
  const negative = sign === '-' || sign === '\u2212';
  const expNegative = expSign === '-' || expSign === '\u2212';
  // One canonical spelling for Number(): correctly rounded, so String(x) reads back as x.
  const canonical = `${negative ? '-' : ''}${whole || '0'}.${fraction || '0'}e${expNegative ? '-' : ''}${exponent ?? '0'}`;
  const value = Number(canonical) + 0; // + 0 turns −0 into 0: "-0" means zero
  if (!Number.isFinite(value)) return refuse(`${raw} is too large a number to work with.`);
  if (value === 0 && /[1-9]/.test(whole + fraction)) return refuse(`${raw} is too small to tell apart from 0; type 0 if you mean zero.`);
  return withinOptions(raw, value, options);
}

/** parseDecimal for fields where decimals make no sense. */
export function parseWholeNumber(text: string, options: Omit<DecimalOptions, 'integer'> = {}): DecimalResult {
  return parseDecimal(text, { ...options, integer: true });
}

function withinOptions(raw: string, value: number, { integer, min, max }: DecimalOptions): DecimalResult {
  if (integer && !Number.isInteger(value)) {
    return refuse(`Use a whole number here: ${raw} has a fractional part (try ${Math.round(value)}).`);
  }
  if (min !== undefined && max !== undefined && (value < min || value > max)) {
    return refuse(`Keep it between ${show(min)} and ${show(max)}.`);
  }
  if (min !== undefined && value < min) return refuse(`Use ${show(min)} or more.`);
  if (max !== undefined && value > max) return refuse(`Use ${show(max)} or less.`);
  return { ok: true, value };
}

/** A bound as people read it: −5 with the typographic minus. */
function show(x: number): string {
  return x < 0 ? `\u2212${String(-x)}` : String(x);
}

/** The reason a text that is not a number is not, for the commonest slips first. */
function whyNotANumber(raw: string): string {
  const points = count(raw, '.');
  const commas = count(raw, ',');
  if (points > 0 && commas > 0) {
    return `${raw} is ambiguous: use one decimal separator, no thousands separator (e.g. 1234.5 or 1234,5).`;
  }
  if (points > 1 || commas > 1) return `${raw} has more than one decimal separator: use one, and no thousands separator.`;
  if (/\s/.test(raw)) return `No spaces inside a number (no thousands separator either), ${EXAMPLE}.`;
  if (/^[+\-\u2212]{2,}/.test(raw) || /\d[+\-\u2212]/.test(raw.replace(/[eE][+\-\u2212]/g, 'e'))) {
    return `${raw} has a sign out of place: one +, - or − at most, at the start.`;
  }
  if (/^[+\-\u2212]?0[xXbBoO]/.test(raw)) return `${raw} is not a decimal number: write it with the digits 0–9.`;
  if (/^[+\-\u2212]?(infinity|∞|nan)$/i.test(raw)) return `${raw} is not a finite number: type one, ${EXAMPLE}.`;
  if (/[eE]$|[eE][+\-\u2212]$/.test(raw)) return `The exponent after e needs digits, e.g. 1e-3.`;
  return `${raw} is not a number: use digits, one decimal point or comma and an optional exponent, ${EXAMPLE}.`;
}

function count(text: string, ch: string): number {
  return text.split(ch).length - 1;
}
