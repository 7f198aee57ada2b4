import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { MlpConfig } from '../../shared/engine/mlp/config.js';
import type { Prediction } from '../../shared/protocol/collab.js';
import { elementLabel, tensorShapeIn } from '../../shared/engine/mlp/tensor-names.js';
import { fmt } from '../lib/format.js';
import { panelStyles } from '../lib/shared-styles.js';
import './prediction-histogram.js';

/**
 * The class's question on the shared screen. While it is open: the question and how many have
 * answered, never what (late students would anchor on the others' answers). Once revealed: the
 * actual value, the class's mean and median, and the histogram of answers with the actual marked.
 */
@customElement('projector-question')
export class ProjectorQuestion extends LitElement {
  @property({ attribute: false }) prediction: Prediction | null = null;
  @property({ attribute: false }) network: MlpConfig | null = null;
  /** How many answered the open question (the server's `prediction:count`), null before the first count. */
  @property({ attribute: false }) answered: number | null = null;

  static override styles = [
    panelStyles,
    css`
      .panel {
        border: 2px solid var(--update);
        background: var(--update-bg);
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.25em 1.25em;
        padding: var(--question-padding, 0.5rem 0.75rem);
        font-size: var(--question-size, 1rem);
      }
      h2 {
        font-size: 1.15em;
        margin: 0;
      }
      p {
        margin: 0;
      }
      .num {
        font-weight: 700;
      }
      .hint {
        font-size: 0.8em;
        flex-basis: 100%;
      }
      .stats {
        display: flex;
        flex-wrap: wrap;
        gap: 0.2em 1.1em;
        align-items: baseline;
      }
      /* Revealed: the numbers on the left, the histogram beside them, one short row. */
      .panel[data-status='revealed'] {
        flex-wrap: nowrap;
      }
      .summary {
        flex: 1 1 auto;
        min-width: 0;
      }
      prediction-histogram {
        flex: 0 0 var(--question-histogram-width, 20rem);
        max-width: none;
      }
    `,
  ];

  override render() {
    const p = this.prediction;
    if (!p) return nothing;
    const what = elementLabel(p.tensor, p.index, this.network ? tensorShapeIn(this.network, p.tensor) : null);
    return p.status === 'open' ? this.renderOpen(what) : this.renderRevealed(p, what);
  }

  private renderOpen(what: string) {
    const n = this.answered ?? 0;
    return html`<section class="panel" aria-labelledby="question-title" data-testid="projector-question" data-status="open">
      <h2 id="question-title" data-testid="question-prompt">Predict ${what}</h2>
      <p aria-live="polite"><strong class="num" data-testid="question-answered">${n} answered</strong></p>
      <p class="hint">Answer on your phone before its stage runs.</p>
    </section>`;
  }

  private renderRevealed(p: Prediction, what: string) {
    const s = p.stats;
    const value = (x: number | null | undefined) => (x == null ? '—' : fmt(x));
    return html`<section class="panel" aria-labelledby="question-title" data-testid="projector-question" data-status="revealed">
      <div class="summary">
        <h2 id="question-title" data-testid="question-prompt">${what} = <span class="num" data-testid="question-actual">${value(p.actual)}</span></h2>
        <div class="stats">
          <p>class: <strong class="num" data-testid="question-count">${s?.count ?? 0}</strong> answered</p>
          <p>mean <strong class="num" data-testid="question-mean">${value(s?.mean)}</strong></p>
          <p>median <strong class="num" data-testid="question-median">${value(s?.median)}</strong></p>
        </div>
      </div>
      ${s && s.count ? html`<prediction-histogram .histogram=${s.histogram} .actual=${p.actual}></prediction-histogram>` : nothing}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'projector-question': ProjectorQuestion;
  }
}
