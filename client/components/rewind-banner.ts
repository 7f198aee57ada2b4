import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { StudentActionEvent, type StudentAction } from '../lib/events.js';
import { buttonStyles, kbdStyles, panelStyles } from '../lib/shared-styles.js';

/**
 * Shown while a student looks back privately: which event, how far behind the live lecture
 * (it grows as the lecture goes on), earlier/later, and one click (or L / Esc) back to live.
 */
@customElement('rewind-banner')
export class RewindBanner extends LitElement {
  @property({ type: Number }) seq = 0;
  @property({ type: Number }) liveSeq = 0;
  /** The event at `seq`, in words. */
  @property() label = '';
  @property({ type: Boolean }) loading = false;
  @property() error = '';
  /** The live lecture has an open question this student could be answering. */
  @property({ type: Boolean }) questionOpen = false;

  static override styles = [
    panelStyles,
    buttonStyles,
    kbdStyles,
    css`
      .panel {
        border: 2px solid var(--backward);
        background: var(--backward-bg);
        display: grid;
        gap: 0.4rem;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem 0.75rem;
        align-items: center;
      }
      .where {
        flex: 1 1 14rem;
        min-width: 0;
        margin: 0;
      }
      input[type='range'] {
        width: 100%;
        margin: 0;
        min-height: 1.75rem;
      }
      .error {
        color: var(--danger);
        font-weight: 600;
        margin: 0;
      }
    `,
  ];

  override render() {
    const behind = this.liveSeq - this.seq;
    return html`<section class="panel" aria-label="Looking back" data-testid="rewind-banner">
      <div class="row">
        <p class="where" role="status">
          <strong>Looking back</strong> at event ${this.seq} of ${this.liveSeq}${this.label ? html` (${this.label})` : nothing} ·
          <strong data-testid="behind" data-behind=${behind}>${behind} event${behind === 1 ? '' : 's'} behind</strong>
          ${this.loading ? html` · loading…` : nothing}
        </p>
        <button ?disabled=${this.seq <= 0} @click=${() => this.act({ type: 'seek', seq: this.seq - 1 })} aria-label="Earlier event" data-testid="rewind-earlier">◀ <kbd>←</kbd></button>
        <button ?disabled=${behind <= 0} @click=${() => this.act({ type: 'seek', seq: this.seq + 1 })} aria-label="Later event" data-testid="rewind-later"><kbd>→</kbd> ▶</button>
        <button class="primary" @click=${() => this.act({ type: 'live' })} data-testid="back-to-live">Back to live <kbd>L</kbd></button>
      </div>
      <label class="visually-hidden" for="scrub">Event to look at</label>
      <input id="scrub" type="range" min="0" max=${this.liveSeq} .value=${String(this.seq)}
        @input=${(e: Event) => this.act({ type: 'seek', seq: Number((e.target as HTMLInputElement).value) })} />
      ${this.questionOpen ? html`<p><strong>The instructor asked a question.</strong> Go back to live to answer it.</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    </section>`;
  }

  private act(action: StudentAction): void {
    this.dispatchEvent(new StudentActionEvent(action));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rewind-banner': RewindBanner;
  }
}
