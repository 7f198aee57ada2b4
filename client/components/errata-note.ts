import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { stageErratum, type Erratum, type ErratumLine } from '../lib/errata.js';
import { full } from '../lib/format.js';
import { panelStyles } from '../lib/shared-styles.js';
// KaTeX and its rules (inside this shadow root, and document-wide for its fonts) load after the first paint.
import { adoptKatexStyles, katexLoaded, loadKatexSoon, texHtml } from '../lib/lazy-katex.js';

const cache = new Map<string, string>();

/** KaTeX HTML for one line (once KaTeX has loaded: client/lib/lazy-katex.ts); the same strings recur on every frame, so they are cached. */
function tex(source: string): string {
  let out = cache.get(source);
  if (out === undefined) {
    out = texHtml(source);
    if (cache.size > 500) cache.clear();
    cache.set(source, out);
  }
  return out;
}

/**
 * Where the teaching notebook went wrong at this stage (client/lib/errata.ts): its own line, muted
 * in a dashed red frame marked ✗, beside the correct one in a solid green frame marked ✓, both
 * with this moment's numbers, and why. (The notebook's numbers are not struck through: a line
 * through digits makes them unreadable from the back of the room, and the class has to read
 * them to see the mistake.) Renders
 * nothing when the stage has no erratum or the instructor has the errata off. Sizes are in em, so
 * a view that makes its equations bigger (the projector display) makes this bigger too.
 */
@customElement('errata-note')
export class ErrataNote extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;

  private erratum: Erratum | null = null;

  static override styles = [
    panelStyles,
    css`
      :host {
        container-type: inline-size;
        margin: 0.5em 0;
      }
      :host([hidden]) {
        display: none;
      }
      .note {
        border: 1px solid var(--border);
        border-radius: 0.5em;
        padding: 0.5em 0.6em;
        background: var(--panel);
      }
      h3 {
        margin: 0 0 0.35em;
        font-size: 1em;
        font-weight: 700;
      }
      .sides {
        display: grid;
        gap: 0.5em;
        grid-template-columns: minmax(0, 1fr);
      }
      /* Side by side once both fit; stacked (the notebook's first) on narrow panels and phones. */
      @container (min-width: 46rem) {
        .sides {
          grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
        }
      }
      .side {
        border-radius: 0.4em;
        padding: 0.3em 0.5em;
        min-width: 0;
      }
      .label {
        font-size: 0.9em;
        font-weight: 700;
        margin: 0;
      }
      .notebook {
        border: 2px dashed var(--danger);
        background: var(--bg);
        color: var(--muted);
      }
      .notebook .label {
        color: var(--danger);
      }
      code {
        font-family: var(--mono);
        font-size: 0.95em;
        overflow-wrap: anywhere;
      }
      .correct {
        border: 2px solid var(--ok);
        background: #eef8f0;
        color: var(--fg);
      }
      .correct .label {
        color: var(--ok);
      }
      .line {
        /* The size of the equation panel's own substituted lines (a projector display sets it bigger). */
        font-size: var(--equation-line-size, 1em);
        overflow-x: auto;
        overflow-y: hidden;
        scrollbar-width: thin;
      }
      /* The line's plain text while KaTeX loads (lib/lazy-katex.ts). */
      .tex-pending {
        display: block;
        margin: 0.3em 0;
        font-family: var(--mono);
        line-height: 1.6;
        overflow-wrap: anywhere;
      }
      .line .katex-display {
        margin: 0.3em 0;
        text-align: left;
      }
      .line .katex-display > .katex {
        text-align: left;
      }
      .why,
      .stale {
        margin: 0.4em 0 0;
        font-size: 0.95em;
        line-height: 1.4;
      }
      .stale {
        color: var(--fg);
      }
      @media (max-width: 480px) {
        .line .katex {
          font-size: 0.95em;
        }
      }
    `,
  ];

  /** KaTeX loads once the note's plain-text lines are on screen; then they are drawn again with it. */
  protected override firstUpdated(): void {
    loadKatexSoon(() => {
      adoptKatexStyles(this.renderRoot);
      this.requestUpdate();
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('snapshot')) this.erratum = this.snapshot ? stageErratum(this.snapshot) : null;
    // No erratum: take no room at all in the equation panel.
    this.hidden = this.erratum === null;
  }

  override render() {
    const e = this.erratum;
    if (!e) return nothing;
    return html`<section class="note" aria-labelledby="errata-title" data-testid="errata-note" data-stage=${e.stage}>
      <h3 id="errata-title" class="visually-hidden">The notebook’s mistake here</h3>
      <div class="sides">
        <div class="side notebook" data-testid="erratum-notebook">
          <p class="label">
            ✗ The notebook wrote (${e.source})${e.code ? html`: <code>${e.code}</code>` : nothing}
          </p>
          ${e.notebook.map((l) => this.line(l))}
        </div>
        <div class="side correct" data-testid="erratum-correct">
          <p class="label">✓ Correct</p>
          ${e.correct.map((l) => this.line(l))}
        </div>
      </div>
      <p class="why" data-testid="erratum-why">${e.why}</p>
      ${e.note ? html`<p class="stale" data-testid="erratum-stale">${e.note}</p>` : nothing}
    </section>`;
  }

  /** One line: KaTeX (with its MathML for screen readers), the plain text and the unrounded numbers in its title. */
  private line(l: ErratumLine) {
    const title = l.values.length ? `${l.text} (${l.values.map(full).join(', ')})` : l.text;
    return html`<div class="line" data-text=${l.text} title=${title}
      >${katexLoaded() ? unsafeHTML(tex(l.tex)) : html`<span class="tex-pending">${l.text}</span>`}</div
    >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'errata-note': ErrataNote;
  }
}
