import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { MlpConfig } from '../../shared/engine/mlp/config.js';
import type { Prediction, PredictionUpdate } from '../../shared/protocol/collab.js';
import { parseDecimal } from '../../shared/protocol/decimal.js';
import { LIMITS } from '../../shared/protocol/limits.js';
import { elementLabel, tensorShapeIn } from '../../shared/engine/mlp/tensor-names.js';
import { type PredictionRole } from '../lib/collab.js';
import { CommandRequestEvent, PredictionSubmitEvent } from '../lib/events.js';
import { fmt } from '../lib/format.js';
import { flipSign, numberFieldStyles } from '../lib/number-field.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';
import './prediction-histogram.js';


const signed = (x: number) => (x > 0 ? `+${fmt(x)}` : fmt(x));

/**
 * The class's prediction question. Open: students type a number and may change it until the
 * reveal; the instructor sees the count and a histogram live and may reveal early. Revealed:
 * the actual value, count, mean, median and the histogram with the actual marked, and each
 * student's own answer and how far off it was. A revealed question can be put away.
 */
@customElement('prediction-card')
export class PredictionCard extends LitElement {
  @property({ attribute: false }) prediction: Prediction | null = null;
  @property() mode: PredictionRole = 'view';
  /** Student: the answer this student gave (kept across reloads by the page). */
  @property({ attribute: false }) mine: number | null = null;
  /** Instructor: the live aggregate. */
  @property({ attribute: false }) aggregate: PredictionUpdate | null = null;
  @property({ attribute: false }) error: string | null = null;
  @property({ type: Boolean }) busy = false;
  /** The lecture's network, so the asked element is labelled by its tensor's shape (the notebook's names need none). */
  @property({ attribute: false }) network: MlpConfig | null = null;

  @state() private draft = '';
  @state() private putAway: number | null = null;
  @state() private typo: string | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    numberFieldStyles,
    css`
      .panel {
        border-width: 2px;
        border-color: var(--update);
        background: var(--update-bg);
      }
      .head {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        justify-content: space-between;
        flex-wrap: wrap;
      }
      h2 {
        font-size: 1.05rem;
        margin: 0;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
        margin: 0.5rem 0 0.25rem;
      }
      input {
        width: 9rem;
        font-family: var(--mono);
      }
      .stats {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1.25rem;
        margin: 0.4rem 0;
      }
      .stats strong {
        font-family: var(--mono);
      }
      .actual {
        font-size: 1.15rem;
      }
      p {
        margin: 0.25rem 0;
      }
      .body {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1.5rem;
        align-items: flex-start;
      }
      .body > div {
        flex: 0 1 auto;
        min-width: 0;
      }
      prediction-histogram {
        flex: 0 1 22rem;
        min-width: 12rem;
      }
    `,
  ];

  /** Puts the caret in the answer field (the question bar's one tap), if the question is open. */
  focusAnswer(): void {
    this.renderRoot.querySelector<HTMLInputElement>('#answer')?.focus();
  }

  override render() {
    const p = this.prediction;
    if (!p || this.putAway === p.askSeq) return nothing;
    const what = elementLabel(p.tensor, p.index, this.network ? tensorShapeIn(this.network, p.tensor) : null);
    const open = p.status === 'open';
    return html`<section class="panel" aria-labelledby="prediction-title" data-testid="prediction-card" data-status=${p.status}>
      <div class="head">
        <h2 id="prediction-title" data-testid="prediction-prompt">${open ? `Predict ${what}` : `Prediction: ${what}`}</h2>
        ${open ? nothing : html`<button @click=${() => (this.putAway = p.askSeq)} aria-label="Hide the prediction result">Hide</button>`}
      </div>
      ${open ? this.renderOpen(p, what) : this.renderRevealed(p, what)}
    </section>`;
  }

  private renderOpen(p: Prediction, what: string) {
    if (this.mode === 'instructor') {
      const count = this.aggregate?.askSeq === p.askSeq ? this.aggregate.count : 0;
      const addresses = this.aggregate?.askSeq === p.askSeq ? this.aggregate.addresses : 0;
      return html`<div class="body">
        <div>
          <p aria-live="polite">
            <strong data-testid="prediction-count">${count}</strong> answer${count === 1 ? '' : 's'} so far${addresses
              ? html`, from
                  <strong data-testid="prediction-addresses" title="Distinct network addresses the answers came from. A class behind one school network shares one; far fewer devices than answers can also mean one machine answering many times."
                    >${addresses}</strong
                  >
                  device${addresses === 1 ? '' : 's'}`
              : nothing}.
          </p>
          <p>Revealed when its stage runs, or now:</p>
          <button class="primary" data-testid="prediction-reveal" @click=${() => this.dispatchEvent(new CommandRequestEvent({ type: 'reveal' }))}>Reveal now</button>
        </div>
        ${count ? html`<prediction-histogram .histogram=${this.aggregate!.histogram}></prediction-histogram>` : nothing}
      </div>`;
    }
    if (this.mode === 'view') return html`<p>The class was asked to predict ${what} before its stage ran.</p>`;
    return html`
      <p>What will ${what} be when its stage runs? Answers are anonymous to the class; you can change yours until the reveal.</p>
      <form @submit=${this.submit} novalidate>
        <label for="answer" class="visually-hidden">Your prediction for ${what}</label>
        <input id="answer" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" placeholder="e.g. 0.5" required
          .value=${this.draft} @input=${(e: Event) => this.typing((e.target as HTMLInputElement).value)}
          aria-invalid=${this.typo ? 'true' : nothing}
          aria-describedby=${this.typo ?? this.error ? 'answer-error' : nothing} data-testid="prediction-input" />
        <button type="button" class="sign" aria-label="± change sign" title="Change the sign (a phone's decimal keypad has no minus key)"
          data-testid="prediction-sign" @click=${() => this.typing(flipSign(this.draft))}>±</button>
        <button class="primary" type="submit" ?disabled=${this.busy} data-testid="prediction-submit">${this.mine === null ? 'Submit' : 'Change answer'}</button>
      </form>
      ${this.typo ?? this.error ? html`<p class="field-error" id="answer-error" role="alert" data-testid="prediction-error">${this.typo ?? this.error}</p>` : nothing}
      ${this.mine !== null ? html`<p data-testid="prediction-mine">Your answer: <strong class="num">${fmt(this.mine)}</strong> ✓ sent</p>` : nothing}
    `;
  }

  private renderRevealed(p: Prediction, what: string) {
    const s = p.stats;
    const actual = p.actual;
    const mine = this.mode === 'student' ? this.mine : null;
    return html`<div class="body">
      <div>
        <p class="actual">${what} = <strong class="num" data-testid="prediction-actual">${actual === null ? '—' : fmt(actual)}</strong> (actual)</p>
        ${mine !== null && actual !== null
          ? html`<p data-testid="prediction-diff">Your answer <strong class="num">${fmt(mine)}</strong>: off by <strong class="num">${signed(mine - actual)}</strong>
              ${Math.abs(mine - actual) < 5e-5 ? html` — spot on ✓` : nothing}</p>`
          : this.mode === 'student'
            ? html`<p>You did not answer this one.</p>`
            : nothing}
        <div class="stats">
          <span><strong data-testid="prediction-count">${s?.count ?? 0}</strong> answer${s?.count === 1 ? '' : 's'}</span>
          <span>mean <strong data-testid="prediction-mean">${s?.mean == null ? '—' : fmt(s.mean)}</strong></span>
          <span>median <strong data-testid="prediction-median">${s?.median == null ? '—' : fmt(s.median)}</strong></span>
        </div>
      </div>
      ${s && s.count ? html`<prediction-histogram .histogram=${s.histogram} .actual=${actual} .mine=${mine}></prediction-histogram>` : nothing}
    </div>`;
  }

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    // Read as the student typed it (0,25 is 0.25); a refusal says why and sends nothing. The server checks again.
    const result = parseDecimal(this.draft, { min: -LIMITS.maxWeightMagnitude, max: LIMITS.maxWeightMagnitude });
    if (!result.ok) {
      this.typo = result.error;
      return;
    }
    this.typo = null;
    this.dispatchEvent(new PredictionSubmitEvent(result.value));
  }

  /** The field's text as typed; an earlier refusal goes once the student edits (it would describe old text). */
  private typing(text: string): void {
    this.draft = text;
    this.typo = null;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'prediction-card': PredictionCard;
  }
}
