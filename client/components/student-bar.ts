import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Pacing } from '../../shared/protocol/collab.js';
import { LIMITS } from '../../shared/protocol/limits.js';
import { StudentActionEvent, type StudentAction } from '../lib/events.js';
import { barStyles, buttonStyles, mutedKbdStyles, panelStyles } from '../lib/shared-styles.js';

/**
 * A student's own controls: the pacing the instructor chose, looking back privately, the
 * sandbox, and the optional display name. In follow mode looking back and the sandbox are off,
 * and the bar says why.
 */
@customElement('student-bar')
export class StudentBar extends LitElement {
  @property() pacing: Pacing = 'free';
  @property() name = '';
  /** Nothing to look back at or fork yet (still joining). */
  @property({ type: Boolean }) ready = false;

  @state() private editing = false;

  static override styles = [
    panelStyles,
    buttonStyles,
    barStyles,
    mutedKbdStyles,
    css`
      .mode {
        flex: 1 1 14rem;
        min-width: 0;
        margin: 0;
        font-size: 0.9rem;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem;
      }
      form {
        display: flex;
        gap: 0.35rem;
        align-items: center;
        flex-wrap: wrap;
      }
      input {
        width: 11rem;
      }
      @media (max-width: 480px) {
        /* Phones have no arrow keys to hint at. */
        kbd {
          display: none;
        }
      }
      .short {
        display: none;
      }
      /*
       * A phone's first screen is for the lesson: the mode and the three buttons share one row of
       * short labels (each still at least 24 px tall); the mode's explanation stays for screen
       * readers, as the buttons' description.
       */
      @media (max-width: 600px) {
        .panel {
          padding: 0.3rem 0.5rem;
        }
        .bar {
          gap: 0.35rem;
          flex-wrap: nowrap;
        }
        .bar:has(form) {
          flex-wrap: wrap;
        }
        .mode {
          flex: 1 1 auto;
          white-space: nowrap;
        }
        .why {
          position: absolute;
          width: 1px;
          height: 1px;
          overflow: hidden;
          clip: rect(0 0 0 0);
          white-space: nowrap;
        }
        .buttons {
          flex-wrap: nowrap;
          gap: 0.3rem;
        }
        button {
          min-height: 2rem;
          padding: 0.2rem 0.5rem;
          white-space: nowrap;
        }
        [data-testid='edit-name'] .short {
          max-width: 5rem;
          overflow: hidden;
          text-overflow: ellipsis;
        }
        .long {
          display: none;
        }
        .short {
          display: inline;
        }
      }
    `,
  ];

  override render() {
    const follow = this.pacing === 'follow';
    const off = follow || !this.ready;
    return html`<section class="panel" aria-label="Your view">
      <div class="bar">
        <p class="mode" id="pacing-note" data-testid="pacing-note" data-pacing=${this.pacing}>
          ${follow
            ? html`<strong>Follow mode</strong><span class="why">: the instructor keeps everyone on the live lecture, so looking back and the sandbox are off for now.</span>`
            : html`<strong>Free mode</strong><span class="why">: look back or try it yourself while the lecture goes on.</span>`}
        </p>
        <div class="buttons">
          <button ?disabled=${off} aria-describedby="pacing-note" data-testid="rewind" @click=${() => this.act({ type: 'rewind' })}>◀ Look back <kbd>←</kbd></button>
          <button ?disabled=${off} aria-describedby="pacing-note" data-testid="sandbox" @click=${() => this.act({ type: 'sandbox' })}><span class="long">Try it yourself</span><span class="short">Try it</span></button>
        </div>
        ${this.editing
          ? html`<form @submit=${this.saveName}>
              <label for="name">Your name</label>
              <input id="name" name="name" maxlength=${LIMITS.maxNameLength} autocomplete="nickname" .value=${this.name} placeholder="optional" />
              <button type="submit">Save</button>
              <button type="button" @click=${() => (this.editing = false)}>Cancel</button>
            </form>`
          : html`<button data-testid="edit-name" @click=${() => this.startEditing()} aria-label=${this.name ? `You: ${this.name}, change your name for the instructor` : 'Add your name for the instructor'}>
              <span class="long">${this.name ? `You: ${this.name} ✎` : 'Add your name ✎'}</span><span class="short">✎ ${this.name || 'Name'}</span>
            </button>`}
      </div>
    </section>`;
  }

  private async startEditing(): Promise<void> {
    this.editing = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('#name')?.focus();
  }

  private saveName(e: SubmitEvent): void {
    e.preventDefault();
    const name = String(new FormData(e.target as HTMLFormElement).get('name') ?? '');
    this.editing = false;
    this.act({ type: 'name', name });
  }

  private act(action: StudentAction): void {
    this.dispatchEvent(new StudentActionEvent(action));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'student-bar': StudentBar;
  }
}
