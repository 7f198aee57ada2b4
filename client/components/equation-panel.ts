import { LitElement, css, html, nothing, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import katex from 'katex';
// KaTeX's rules must live inside this shadow root; its @font-face rules are loaded
// document-wide by main.ts, because fonts declared inside a shadow root are ignored.
import katexCss from 'katex/dist/katex.min.css?inline';
import type { Snapshot } from '../../shared/index.js';
import { stageEquations, type ElementRef, type StageEquations } from '../lib/equations.js';
import { ElementHoverEvent } from '../lib/events.js';
import { elementFlagKey, elementText, phaseAccent, phaseOf, snapshotShape } from '../lib/names.js';
import { panelStyles } from '../lib/shared-styles.js';
import { isActivation, pointAt, spotlightKey, spotlightStyles } from '../lib/spotlight.js';
import './errata-note.js';

const cache = new Map<string, string>();

/** KaTeX HTML for one formula; the same strings recur on every frame, so they are cached. */
function tex(source: string): string {
  let out = cache.get(source);
  if (out === undefined) {
    out = katex.renderToString(source, { displayMode: true, throwOnError: false, output: 'htmlAndMathml' });
    if (cache.size > 2000) cache.clear();
    cache.set(source, out);
  }
  return out;
}

const keyOf = (e: ElementRef | null | undefined) => (e ? elementFlagKey(e.tensor, e.index) : null);

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

  private eq: StageEquations | null = null;
  /** The line under the pointer and the focused line, by position. */
  private hovered: number | null = null;
  private focused: number | null = null;
  /** Key of the element last sent (null: none). */
  private sent: string | null = null;

  static override styles = [
    unsafeCSS(katexCss),
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
      :host([display='projector']) .panel {
        height: 100%;
        display: flex;
        flex-direction: column;
      }
      :host([display='projector']) .panel > :not(.lines) {
        flex: none;
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
        margin: 0.3em 0;
      }
      :host([display='projector']) .lines {
        font-size: var(--equation-line-size, 1rem);
        max-height: none;
        flex: 1 1 auto;
        min-height: 0;
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
  }

  protected override updated(changed: PropertyValues<this>): void {
    // A new moment rewrites the lines in place: the line under the pointer may be about another element now.
    if (changed.has('snapshot')) this.report();
  }

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
        <div class="formula">${unsafeHTML(tex(eq.formula))}</div>
        <errata-note .snapshot=${s}></errata-note>
        <div class="lines" role="list">${eq.lines.map((line, k) => this.line(s, line, eq.elements[k] ?? null, k))}</div>
      </section>
    `;
  }

  /** One line; an element's line is focusable and named after its element ("B_act[2]"). */
  private line(s: Snapshot, line: string, element: ElementRef | null, k: number) {
    const key = keyOf(element);
    const linked = key !== null && key === keyOf(this.highlight);
    const spotlit = key !== null && key === spotlightKey(s.spotlight);
    return html`<div
      class="line ${linked ? 'linked' : ''} ${element && this.pointing ? 'pointable' : ''}"
      role="listitem"
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

declare global {
  interface HTMLElementTagNameMap {
    'equation-panel': EquationPanel;
  }
}
