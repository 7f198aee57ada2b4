/**
 * Text a lecture creator names things with (a lecture's title, a dataset's name, a CSV's column
 * names) is shown to every student and written into exported notebooks, so it must be printable:
 * no control characters (Cc: \n, \r, \v, \f, U+001C–U+001E, U+0085, …, which Python's
 * str.splitlines and so Jupyter break a line at), no format characters (Cf: bidi overrides that
 * reorder what is shown, zero-width spaces, U+FEFF), no line or paragraph separators (U+2028,
 * U+2029) and no lone surrogates (half a character). The zero-width joiner and non-joiner are
 * allowed: emoji sequences and scripts such as Persian and the Indic ones need them to be written.
 */
import type { RefinementCtx } from 'zod';

const UNPRINTABLE = /(?![\u200c\u200d])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

const KIND: readonly [RegExp, string][] = [
  [/\p{Cc}/u, 'a control character'],
  [/\p{Cf}/u, 'a format character'],
  [/\p{Zl}/u, 'a line separator'],
  [/\p{Zp}/u, 'a paragraph separator'],
  [/\p{Cs}/u, 'half of a character (a lone surrogate)'],
];

/**
 * The text without what textProblem refuses: for text a person types live (a bookmark's label),
 * where dropping an invisible character is kinder than refusing the whole.
 */
export function withoutUnprintable(text: string): string {
  return text.replace(new RegExp(UNPRINTABLE.source, 'gu'), '');
}

/** "U+001C" */
export const codePointName = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why `text` cannot name something, or null: "the title holds U+001C (a control character) at
 * character 6; it may hold only printable text". `what` names the text for the sentence. The text
 * itself is not repeated: it is what cannot be shown.
 */
export function textProblem(text: string, what: string): string | null {
  const found = UNPRINTABLE.exec(text);
  if (!found) return null;
  const ch = found[0];
  const kind = KIND.find(([re]) => re.test(ch))?.[1] ?? 'an unprintable character';
  const position = [...text.slice(0, found.index)].length + 1;
  return `${what} holds ${codePointName(ch)} (${kind}) at character ${position}; it may hold only printable text`;
}

/** The same as a zod refinement, for a schema's text field: `.superRefine(printableText('the title'))`. */
export const printableText =
  (what: string) =>
  (text: string, ctx: RefinementCtx<string>): void => {
    const problem = textProblem(text, what);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };
