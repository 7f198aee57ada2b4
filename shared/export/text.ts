/**
 * User text (a lecture's title, a dataset's name, a CSV's column names) in an exported notebook.
 * Jupyter front ends split a code cell into lines as Python's str.splitlines does (at U+001C, U+0085,
 * U+2028 and more, not only at \n), then run `!…` lines in a shell and `%…` lines as magics, so
 * text in a comment can become code. So user text reaches a code cell only as a string literal in
 * printable ASCII, and a markdown cell only as text with every markup character escaped.
 */

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

/**
 * A double-quoted Python string literal that Python reads back as exactly `text`, in printable
 * ASCII only: quotes and backslashes escaped, everything else outside U+0020–U+007E as \xNN,
 * \uNNNN or \UNNNNNNNN. No line separator, no `#`-comment boundary and no quote survive as such.
 */
export function pyString(text: string): string {
  let out = '"';
  // for…of walks code points: an astral character is one \U escape, a lone surrogate a \u escape.
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0x20 && cp <= 0x7e) out += ch;
    else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}

/** Characters that have no business in one line of text: controls, format characters, line and paragraph separators, lone surrogates. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * What HTML and markdown renderers give a meaning to, each as the sequence that shows it literally.
 * `<`, `>`, `&` as entities (no tag, no entity of the user's); the rest backslash-escaped, the
 * escapes CommonMark and the older renderers (mistune 0.8 in nbconvert 6, marked in JupyterLab)
 * all read as the plain character. `$` is escaped for MathJax, which Jupyter configures with
 * processEscapes; a backslash becomes an entity inside a span, so that no `\(` or `\[` reaches
 * MathJax as one text node (it never typesets across elements).
 */
const MARKUP: ReadonlyMap<string, string> = new Map([
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['&', '&amp;'],
  ['\\', '<span>&#92;</span>'],
  ...[...'`*_{}[]()#+-.!|~$'].map((c): [string, string] => [c, `\\${c}`]),
]);

/**
 * User text as one line of a markdown cell that renders as exactly that text: unprintable
 * characters and runs of whitespace become one space (a title cannot start a new paragraph, list
 * or heading), and every markup character is escaped (MARKUP).
 */
export function markdownText(text: string): string {
  const line = text.replace(UNPRINTABLE, ' ').replace(/\s+/g, ' ').trim();
  let out = '';
  for (const ch of line) out += MARKUP.get(ch) ?? ch;
  return out;
}

/** Whether a code cell's source is printable ASCII and newlines: what every code cell must be (user text only through pyString). */
export function isInertCode(source: string): boolean {
  return /^[\x20-\x7e\n]*$/.test(source);
}
