/**
 * KaTeX on demand (issue 12, "A page that loads fast"): it is the largest thing a student's page
 * uses (≈ 87 KB brotli), and the stage strip and the diagram do not need it. The equation panel and
 * the errata note render a readable plain-text form of each formula first (texHtml) and ask for
 * KaTeX once they have been drawn (loadKatexSoon); when it arrives they draw again with it.
 * KaTeX's stylesheet comes with it: document-wide for its @font-face rules (fonts declared in a
 * shadow root are ignored) and adopted by each shadow root that draws formulas (adoptKatexStyles).
 */
type Katex = (typeof import('katex'))['default'];

let katex: Katex | null = null;
let sheet: CSSStyleSheet | null = null;
let loading: Promise<void> | null = null;

/** Starts loading KaTeX and its styles (once); resolves when it can render. */
export function loadKatex(): Promise<void> {
  loading ??= Promise.all([import('katex'), import('katex/dist/katex.min.css?inline'), import('katex/dist/katex.min.css')]).then(
    ([m, css]) => {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css.default);
      katex = m.default;
    },
  );
  return loading;
}

/** Puts KaTeX's rules first in a shadow root's styles (once), so the component's own rules still win. */
export function adoptKatexStyles(root: Node): void {
  if (!sheet || !(root instanceof ShadowRoot) || root.adoptedStyleSheets.includes(sheet)) return;
  root.adoptedStyleSheets = [sheet, ...root.adoptedStyleSheets];
}

/**
 * Loads KaTeX after the next two frames, so the page's first paint (the strip, the diagram) is
 * not held up by its download; `then` runs once it is there (at once, in a microtask, if it is).
 */
export function loadKatexSoon(then: () => void): void {
  if (katex) {
    queueMicrotask(then);
    return;
  }
  requestAnimationFrame(() => requestAnimationFrame(() => void loadKatex().then(then)));
}

/** KaTeX's HTML (with MathML) for one formula, or until KaTeX is loaded a plain-text stand-in. */
export function texHtml(source: string): string {
  if (!katex) return `<span class="tex-pending">${escapeHtml(texToText(source))}</span>`;
  return katex.renderToString(source, { displayMode: true, throwOnError: false, output: 'htmlAndMathml' });
}

/** Whether texHtml now gives KaTeX's rendering (callers cache only that). */
export const katexLoaded = (): boolean => katex !== null;

const SYMBOLS: ReadonlyMap<string, string> = new Map([
  ['partial', '∂'], ['cdot', '·'], ['times', '×'], ['odot', '⊙'], ['sigma', 'σ'], ['eta', 'η'],
  ['leftarrow', '←'], ['rightarrow', '→'], ['gets', '←'], ['sum', 'Σ'], ['top', 'ᵀ'], ['ldots', '…'],
  ['dots', '…'], ['cdots', '⋯'], ['approx', '≈'], ['neq', '≠'], ['le', '≤'], ['ge', '≥'], ['max', 'max'],
  ['tanh', 'tanh'], ['exp', 'exp'], ['log', 'log'], ['hat', ''], ['qquad', '  '], ['quad', ' '], ['prime', '′'],
]);

/**
 * A readable approximation of a formula's TeX, shown for the moment before KaTeX loads:
 * `\frac{a}{b}` becomes a/b, `\partial` ∂, `\text{…}` its text, braces and layout commands go.
 */
export function texToText(source: string): string {
  let s = source;
  // Innermost groups first (sub- and superscripts, names, then fractions), so nesting comes out right.
  for (let k = 0; k < 8 && /[{}]/.test(s); k++) {
    const before = s;
    s = s
      .replace(/([_^])\{([^{}]*)\}/g, (_, mark: string, inner: string) => (/^-?[\w.,]+$/.test(inner) ? `${mark}${inner}` : `${mark}(${inner})`))
      .replace(/\\(?:text|texttt|mathrm|mathbf|mathit|operatorname|boldsymbol)\{([^{}]*)\}/g, '$1')
      .replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, (_, a: string, b: string) => `${group(a)}/${group(b)}`);
    if (s === before) break;
  }
  s = s
    .replace(/\\(?:left|right|big|Big|bigg|displaystyle)\b/g, '')
    .replace(/\\begin\{[a-z*]+\}(\{[^{}]*\})?|\\end\{[a-z*]+\}/g, '')
    .replace(/\\\\/g, '; ')
    .replace(/\\[,;:! ]/g, ' ')
    .replace(/&/g, ' ')
    .replace(/\\([A-Za-z]+)/g, (_, name: string) => SYMBOLS.get(name) ?? name)
    .replace(/∂ /g, '∂')
    .replace(/\\([{}_%#$])/g, '$1')
    .replace(/[{}]/g, '')
    .replace(/\s+/g, ' ');
  return s.trim();
}

/** A fraction's part, in parentheses unless it is one term. */
const group = (part: string) => (/^[\w.,^∂-]+$/.test(part.trim()) ? part.trim() : `(${part.trim()})`);

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
