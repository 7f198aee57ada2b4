import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { flagKey } from '../../shared/protocol/flag-key.js';
import { elementText } from '../../shared/engine/mlp/tensor-names.js';
import { stageEquations, type ElementRef, type StageEquations } from '../lib/equations.js';
import { ElementHoverEvent } from '../lib/events.js';
import { phaseAccent, phaseOf, snapshotShape } from '../lib/names.js';
import { panelStyles, scrollCueStyles } from '../lib/shared-styles.js';
import { isActivation, pointAt, spotlightKey, spotlightStyles } from '../lib/spotlight.js';
import { fitLines, moreLinesText, type LineFit } from '../lib/line-fit.js';
// KaTeX and its rules (inside this shadow root, and document-wide for its fonts) load after the first paint.
import { adoptKatexStyles, katexLoaded, loadKatexSoon, texHtml } from '../lib/lazy-katex.js';
import './errata-note.js';

const cache = new Map<string, string>();

/**
 * KaTeX HTML for one formula (plain text until KaTeX has loaded: client/lib/lazy-katex.ts); the
 * same strings recur on every frame, so KaTeX's are cached.
 */
function tex(source: string): string {
  let out = cache.get(source);
  if (out === undefined) {
    out = texHtml(source);
    if (!katexLoaded()) return out;
    if (cache.size > 2000) cache.clear();
    cache.set(source, out);
  }
  return out;
}

const keyOf = (e: ElementRef | null | undefined) => (e ? flagKey({ type: 'element', tensor: e.tensor, index: [...e.index] }) : null);

/**
 * The formula of the stage just computed (the notebook's notation for its network, layer-indexed
 * otherwise), then each element with this moment's numbers substituted: students follow the
 * arithmetic line by line. Big tensors show their first elements and say how many more there are.
 * Pointing at an element's line, or focusing it from the keyboard, sends `bp-element-hover` with
 * the element (null once pointer and focus have left), for the diagram to show where it is.
 */
@customElement('equation-panel')
export class EquationPanel extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  /** The element shown in the diagram just now (from a line here or from the diagram): its line is marked. */
  @property({ attribute: false }) highlight: ElementRef | null = null;
  /** The instructor is pointing: a click (or Enter) on an element's line spotlights the element. */
  @property({ type: Boolean }) pointing = false;
  /** "projector": the class's wall, which nobody can scroll: whole lines only, as many as fit (see fit). */
  @property() display: string | null = null;

  /**
   * On a projector, the lines shown and how many are left out; null while all are drawn to be
   * measured (after each new moment and each resize; the next update shows the fit).
   */
  @state() private fit: LineFit | null = null;
  private resizes: ResizeObserver | null = null;
  /** The size of the lines' box the fit was made for. */
  private fitFor = '';

  private eq: StageEquations | null = null;
  /** The line under the pointer and the focused line, by position. */
  private hovered: number | null = null;
  private focused: number | null = null;
  /** Key of the element last sent (null: none). */
  private sent: string | null = null;

  static override styles = [
    scrollCueStyles,
    panelStyles,
    spotlightStyles,
    css`
      .panel {
        border-left: 6px solid var(--accent);
      }
      .phase {
        font-size: 0.75rem;
        font-weight: 700;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        color: var(--accent);
      }
      .formula {
        font-size: 1.15rem;
        border-bottom: 1px solid var(--border);
        padding-bottom: 0.25rem;
        margin-bottom: 0.25rem;
      }
      .formula,
      .line {
        overflow-x: auto;
        overflow-y: hidden;
        scrollbar-width: thin;
      }
      .line {
        /* Room for the marker bar of a marked line; marking never moves the text. */
        padding: 0 0.25rem 0 0.6rem;
        border-radius: 4px;
      }
      .line.linked,
      .line[tabindex]:hover {
        background: color-mix(in srgb, var(--accent) 9%, transparent);
        box-shadow: inset 4px 0 0 var(--accent);
      }
      /* Inside the line: the list scrolls and would clip a ring outside it. */
      .line[data-spotlit] {
        outline-offset: -4px;
        box-shadow: inset 0 0 0 8px var(--spotlight-glow);
        animation: none;
      }
      .line[tabindex]:focus-visible {
        outline: 2px solid var(--focus);
        outline-offset: -2px;
      }
      /* The plain-text stand-in while KaTeX loads (lib/lazy-katex.ts): a display formula's margins and size, so little moves when it arrives. */
      .tex-pending {
        display: block;
        margin: 0.35rem 0;
        font-family: var(--mono);
        font-size: 0.95rem;
        line-height: 1.6;
        overflow-wrap: anywhere;
      }
      .formula > .tex-pending {
        text-align: center;
      }
      .line .katex-display {
        margin: 0.35rem 0;
        text-align: left;
      }
      .line .katex-display > .katex {
        text-align: left;
      }
      .lines {
        max-height: 34rem;
        overflow-y: auto;
      }
      /*
       * A projector display (display="projector"): the panel fills the height it is given and its
       * lines scroll inside it; the page sets the sizes (KaTeX draws at 1.21em of these).
       */
      :host([display='projector']) {
        height: 100%;
      }
      /*
       * Every pixel of height is a line more on the wall: the phase and the title share a row (the
       * phase in its colour), the lines take what is left.
       */
      :host([display='projector']) .panel {
        height: 100%;
        display: grid;
        grid-template-columns: auto minmax(0, 1fr);
        grid-template-rows: auto auto auto minmax(0, 1fr);
        column-gap: 0.6rem;
        align-items: baseline;
      }
      :host([display='projector']) .panel > :not(.phase, h2) {
        grid-column: 1 / -1;
        align-self: stretch;
      }
      :host([display='projector']) h2 {
        margin-bottom: 0.2rem;
      }
      :host([display='projector']) errata-note {
        margin: 0.3em 0;
      }
      :host([display='projector']) .line .katex-display {
        margin: 0.2rem 0;
      }
      :host([display='projector']) .phase {
        font-size: var(--equation-phase-size, 0.75rem);
      }
      :host([display='projector']) h2 {
        font-size: var(--equation-title-size, 0.95rem);
      }
      :host([display='projector']) .formula {
        font-size: var(--equation-formula-size, 1.15rem);
      }
      :host([display='projector']) .formula .katex-display {
        margin: 0.15em 0;
      }
      :host([display='projector']) .formula {
        padding-bottom: 0.15rem;
        margin-bottom: 0.15rem;
      }
      :host([display='projector']) .lines {
        font-size: var(--equation-line-size, 1rem);
        max-height: none;
        flex: 1 1 auto;
        min-height: 0;
      }
      /* No scroll bar on a wall: the lines that do not fit whole are left out (fit), and say so. */
      :host([display='projector']) .lines,
      :host([display='projector']) .line {
        overflow: hidden;
      }
      .more {
        margin: 0.1rem 0 0;
        padding-left: 0.6rem;
        font-size: 0.75em;
        color: var(--muted);
      }
      .more.measuring {
        visibility: hidden;
      }
      /* A phone: KaTeX's default 1.21em makes the substituted lines wider than the screen. */
      @media (max-width: 480px) {
        .line .katex {
          font-size: 0.98em;
        }
        .formula {
          font-size: 1rem;
        }
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('snapshot')) this.eq = this.snapshot ? stageEquations(this.snapshot) : null;
    // A new moment (other lines, the errata note, another spotlight): measure again.
    if (changed.has('snapshot') || changed.has('display')) this.fit = null;
  }

  /** KaTeX loads once the panel's plain-text lines are on screen; then they are drawn again with it (and refitted). */
  protected override firstUpdated(): void {
    loadKatexSoon(() => {
      adoptKatexStyles(this.renderRoot);
      this.fit = null;
      this.requestUpdate();
    });
  }

  protected override updated(changed: PropertyValues<this>): void {
    // A new moment rewrites the lines in place: the line under the pointer may be about another element now.
    if (changed.has('snapshot')) this.report();
    if (this.projector) this.fitLines();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizes?.disconnect();
    this.resizes = null;
    document.fonts?.removeEventListener('loadingdone', this.refit);
  }

  private get projector(): boolean {
    return this.display === 'projector';
  }

  /** Measures the lines while all are drawn, then keeps those that fit whole (lib/line-fit.ts). */
  private fitLines(): void {
    const box = this.renderRoot.querySelector<HTMLElement>('.lines');
    if (!box) return;
    this.watch(box);
    if (this.fit !== null) return;
    const heights = [...box.querySelectorAll<HTMLElement>(':scope > .line')].map((el) => el.getBoundingClientRect().height);
    const note = box.querySelector<HTMLElement>('.more');
    const noteHeight = note ? note.getBoundingClientRect().height + parseFloat(getComputedStyle(note).marginTop) : 0;
    this.fitFor = sizeOf(box);
    this.fit = fitLines(heights, box.clientHeight, noteHeight, this.mustShow());
    box.scrollTop = 0;
  }

  /** The lines the class must see: the spotlit element's, and the asked element's while the question is open. */
  private mustShow(): number[] {
    const s = this.snapshot;
    const elements = this.eq?.elements ?? [];
    const p = s?.prediction;
    const keys = [spotlightKey(s?.spotlight), p && p.status === 'open' ? keyOf({ tensor: p.tensor, index: p.index }) : null];
    return keys.flatMap((key) => (key === null ? [] : elements.flatMap((e, k) => (keyOf(e) === key ? [k] : []))));
  }

  /** Fits again when the lines' box changes size (the errata note drawn, the window resized) or a font arrives. */
  private watch(box: HTMLElement): void {
    if (this.resizes) return;
    this.resizes = new ResizeObserver(() => {
      if (sizeOf(box) !== this.fitFor) this.refit();
    });
    this.resizes.observe(box);
    document.fonts?.addEventListener('loadingdone', this.refit);
  }

  private readonly refit = (): void => {
    this.fit = null;
  };

  /** Sends the element of the line pointed at (else the focused one) when it changed. */
  private report(): void {
    const k = this.hovered ?? this.focused;
    const element = k === null ? null : (this.eq?.elements[k] ?? null);
    const key = keyOf(element);
    if (key === this.sent) return;
    this.sent = key;
    this.dispatchEvent(new ElementHoverEvent(element));
  }

  private readonly onLine = (e: Event): void => {
    const k = Number((e.currentTarget as HTMLElement).dataset.line);
    if (e.type === 'mouseenter') this.hovered = k;
    else if (e.type === 'mouseleave') this.hovered = this.hovered === k ? null : this.hovered;
    else if (e.type === 'focus') this.focused = k;
    else if (e.type === 'blur') this.focused = this.focused === k ? null : this.focused;
    this.report();
  };

  /** Pointing: the line's element is spotlit for the class (again: the spotlight goes). */
  private readonly onPointAt = (e: Event): void => {
    const element = this.eq?.elements[Number((e.currentTarget as HTMLElement).dataset.line)];
    if (!this.pointing || !element || !this.snapshot) return;
    if (e instanceof KeyboardEvent) {
      if (!isActivation(e)) return;
      e.preventDefault();
    }
    pointAt(this, { type: 'element', tensor: element.tensor, index: [...element.index] }, spotlightKey(this.snapshot.spotlight));
  };

  override render() {
    const s = this.snapshot;
    const eq = this.eq;
    if (!s || !eq) return nothing;
    const phase = phaseOf(s.network, s.stage);
    const accent = phaseAccent(phase);
    return html`
      <section class="panel" style="--accent:${accent}" aria-labelledby="eq-title" data-testid="equation-panel" data-stage=${s.stage}>
        <div class="phase">${phase ?? 'ready'}</div>
        <h2 id="eq-title">${eq.title}</h2>
        <div class="formula scroll-cue">${unsafeHTML(tex(eq.formula))}</div>
        <errata-note .snapshot=${s}></errata-note>
        <div class="lines" role="list">${eq.lines.map((line, k) => this.line(s, line, eq.elements[k] ?? null, k))}${this.moreNote()}</div>
      </section>
    `;
  }

  /** On a projector: how many lines are left out, or a stand-in to measure while all are drawn. */
  private moreNote() {
    if (!this.projector) return nothing;
    const fit = this.fit;
    if (fit === null) return html`<p class="more measuring" aria-hidden="true">+ 0 more lines on your screens</p>`;
    return fit.more === 0 ? nothing : html`<p class="more" role="listitem" data-testid="equation-more" data-more=${fit.more}>${moreLinesText(fit)}</p>`;
  }

  /** One line; an element's line is focusable and named after its element ("B_act[2]"). */
  private line(s: Snapshot, line: string, element: ElementRef | null, k: number) {
    const key = keyOf(element);
    const linked = key !== null && key === keyOf(this.highlight);
    const spotlit = key !== null && key === spotlightKey(s.spotlight);
    const left = this.projector && this.fit !== null && !this.fit.shown.includes(k);
    return html`<div
      class="line scroll-cue ${linked ? 'linked' : ''} ${element && this.pointing ? 'pointable' : ''}"
      role="listitem"
      ?hidden=${left}
      data-line=${k}
      data-element=${key ?? nothing}
      data-highlight=${linked ? 'true' : nothing}
      data-spotlit=${spotlit ? 'true' : nothing}
      @click=${element ? this.onPointAt : nothing}
      @keydown=${element ? this.onPointAt : nothing}
      tabindex=${element ? 0 : nothing}
      aria-label=${element ? elementText(element.tensor, snapshotShape(s, element.tensor), element.index) : nothing}
      @mouseenter=${this.onLine}
      @mouseleave=${this.onLine}
      @focus=${this.onLine}
      @blur=${this.onLine}
    >${unsafeHTML(tex(line))}</div>`;
  }
}

/** A box's size, to tell a resize from the observer's first report. */
const sizeOf = (el: HTMLElement) => `${el.clientWidth}×${el.clientHeight}`;

declare global {
  interface HTMLElementTagNameMap {
    'equation-panel': EquationPanel;
  }
}
