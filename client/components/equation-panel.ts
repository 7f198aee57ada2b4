import { LitElement, css, html, nothing, unsafeCSS } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import katex from 'katex';
// KaTeX's rules must live inside this shadow root; its @font-face rules are loaded
// document-wide by main.ts, because fonts declared inside a shadow root are ignored.
import katexCss from 'katex/dist/katex.min.css?inline';
import type { Snapshot } from '../../shared/index.js';
import { stageEquations } from '../lib/equations.js';
import { phaseAccent, phaseOf } from '../lib/names.js';
import { panelStyles } from '../lib/shared-styles.js';

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

/**
 * The formula of the stage just computed (the notebook's notation for its network, layer-indexed
 * otherwise), then each element with this moment's numbers substituted: students follow the
 * arithmetic line by line. Big tensors show their first elements and say how many more there are.
 */
@customElement('equation-panel')
export class EquationPanel extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;

  static override styles = [
    unsafeCSS(katexCss),
    panelStyles,
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

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    const eq = stageEquations(s);
    const phase = phaseOf(s.network, s.stage);
    const accent = phaseAccent(phase);
    return html`
      <section class="panel" style="--accent:${accent}" aria-labelledby="eq-title" data-testid="equation-panel" data-stage=${s.stage}>
        <div class="phase">${phase ?? 'ready'}</div>
        <h2 id="eq-title">${eq.title}</h2>
        <div class="formula">${unsafeHTML(tex(eq.formula))}</div>
        <div class="lines">${eq.lines.map((line) => html`<div class="line">${unsafeHTML(tex(line))}</div>`)}</div>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'equation-panel': EquationPanel;
  }
}
