import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { MlpConfig } from '../../shared/engine/mlp/config.js';
import type { Prediction } from '../../shared/protocol/collab.js';
import { elementLabel, tensorShapeIn } from '../../shared/engine/mlp/tensor-names.js';
import { fmt } from '../lib/format.js';

/** The student asks to go to the answer field of the open question. */
export class AnswerRequestEvent extends Event {
  static readonly type = 'bp-go-answer';
  constructor() {
    super(AnswerRequestEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'bp-go-answer': AnswerRequestEvent;
  }
}

/**
 * A student's open question, at the bottom of the screen wherever the page is scrolled: what to
 * predict and one tap to the answer field; once answered, what was sent and that it may change
 * until the reveal. The page announces both (this bar is not a live region itself).
 */
@customElement('question-bar')
export class QuestionBar extends LitElement {
  @property({ attribute: false }) prediction: Prediction | null = null;
  @property({ attribute: false }) network: MlpConfig | null = null;
  /** The answer this student sent, or null. */
  @property({ attribute: false }) mine: number | null = null;

  static override styles = css`
    :host {
      position: fixed;
      left: 0;
      right: 0;
      bottom: 0;
      z-index: 30;
      padding: 0.5rem 0.75rem max(0.5rem, env(safe-area-inset-bottom));
      background: var(--update-bg);
      border-top: 3px solid var(--update);
      box-shadow: 0 -4px 14px rgb(0 0 0 / 0.18);
      display: flex;
      align-items: center;
      gap: 0.75rem;
      font-size: 1rem;
    }
    :host([hidden]) {
      display: none;
    }
    .text {
      flex: 1;
      min-width: 0;
    }
    strong {
      font-weight: 800;
    }
    .num {
      font-family: var(--mono);
    }
    button {
      font: inherit;
      font-weight: 700;
      min-height: 2.75rem;
      min-width: 2.75rem;
      padding: 0.4rem 1rem;
      border-radius: 0.5rem;
      border: 2px solid var(--update);
      background: var(--bg);
      color: var(--fg);
      cursor: pointer;
    }
    button:focus-visible {
      outline: 3px solid var(--focus);
      outline-offset: 2px;
    }
  `;

  override render() {
    const p = this.prediction;
    if (!p || p.status !== 'open') return nothing;
    const what = elementLabel(p.tensor, p.index, this.network ? tensorShapeIn(this.network, p.tensor) : null);
    return html`<p class="text" data-testid="question-bar-text">
        ${this.mine === null
          ? html`<strong>Question:</strong> predict ${what}`
          : html`✓ sent <span class="num">${fmt(this.mine)}</span> — change until the reveal`}
      </p>
      <button data-testid="question-bar-answer" @click=${() => this.dispatchEvent(new AnswerRequestEvent())}>${this.mine === null ? 'Answer' : 'Change'}</button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'question-bar': QuestionBar;
  }
}
