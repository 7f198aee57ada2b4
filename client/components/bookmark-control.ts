import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { stageLabel } from '../../shared/engine/mlp/tensor-names.js';
import { cleanLabel, type Command } from '../../shared/protocol/commands.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import type { CommandAck } from '../../shared/protocol/socket.js';
import { fieldError, numberFieldStyles } from '../lib/number-field.js';
import { buttonStyles, keyHintStyles } from '../lib/shared-styles.js';

/** A bookmark ribbon, drawn in the text's colour (no emoji font is needed); the words beside it say what it is. */
/** How long "Bookmarked: …" stays in the bar (ms): long enough to read, then the bar has its room back. */
const CONFIRMATION_MS = 8000;

const bookmarkIcon = svg`<svg viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" focusable="false"><path fill="currentColor" d="M6 2h12a1 1 0 0 1 1 1v19l-7-4.5L5 22V3a1 1 0 0 1 1-1z"/></svg>`;

/**
 * The console's "Bookmark" (M): a named mark in the recording, which the replay lists as a chapter.
 * The button opens a small field in place, filled with where the lecture is ("Sample 2 at ∂L/∂C_act")
 * and selected, so typing replaces it; Enter drops the bookmark, Esc puts the button back. The
 * command goes to the page (bp-bookmark), which sends it and answers with the server's ack: "Bookmarked: …"
 * is said in a polite live region, a refusal stays beside the field in the server's words.
 */
@customElement('bookmark-control')
export class BookmarkControl extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  @property({ type: Boolean }) connected = false;

  @state() private editing = false;
  @state() private label = '';
  @state() private sending = false;
  @state() private refusal: string | null = null;
  /** The last bookmark the server recorded, as it recorded it, while its confirmation shows. */
  @state() private dropped: string | null = null;
  private droppedTimer: ReturnType<typeof setTimeout> | undefined;

  @query('input') private field?: HTMLInputElement;
  @query('button.open') private opener?: HTMLButtonElement;

  static override styles = [
    buttonStyles,
    keyHintStyles,
    numberFieldStyles,
    css`
      :host {
        display: contents;
      }
      .bookmark {
        display: inline-flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.35rem;
      }
      input {
        width: 13rem;
      }
      svg {
        vertical-align: -0.125em;
      }
      .done {
        color: var(--muted);
        font-size: 0.85rem;
      }
      .done:empty {
        display: none;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.droppedTimer);
  }

  /** M on the keyboard (and the button): the field opens, filled with where the lecture is and selected. */
  open(): void {
    if (!this.connected) return;
    if (!this.editing) {
      this.label = defaultLabel(this.snapshot);
      this.refusal = null;
      this.dropped = null;
      this.editing = true;
    }
    void this.updateComplete.then(() => {
      this.field?.focus();
      this.field?.select();
    });
  }

  override render() {
    return html`<div class="bookmark" role="group" aria-label="Bookmark" data-testid="bookmark-control">
      ${this.editing ? this.renderField() : html`<button class="open" ?disabled=${!this.connected} @click=${() => this.open()} data-testid="bookmark">
            ${bookmarkIcon} Bookmark <kbd>M</kbd>
          </button>`}
      <span class="done" role="status" data-testid="bookmark-done">${this.dropped ? `Bookmarked: ${this.dropped}` : ''}</span>
    </div>`;
  }

  private renderField() {
    return html`<label for="bookmark-label">Bookmark</label>
      <input id="bookmark-label" type="text" autocomplete="off" .value=${this.label} ?disabled=${this.sending}
        @input=${(e: Event) => this.typed((e.target as HTMLInputElement).value)} @keydown=${this.onFieldKey}
        aria-invalid=${this.refusal ? 'true' : nothing} aria-describedby=${this.refusal ? 'bookmark-error' : nothing} />
      <button ?disabled=${this.sending || !this.connected} @click=${() => void this.drop()} data-testid="bookmark-drop">Drop <kbd>⏎</kbd></button>
      <button ?disabled=${this.sending} @click=${() => this.close()}>Cancel <kbd>Esc</kbd></button>
      ${fieldError('bookmark-error', this.refusal)}`;
  }

  private typed(text: string): void {
    this.label = text;
    this.refusal = null;
  }

  private readonly onFieldKey = (e: KeyboardEvent): void => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void this.drop();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.close();
    }
  };

  /** Asks the page to send the bookmark; closes on the server's yes, keeps the field and says why on its no. */
  private async drop(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    const ack = await new Promise<CommandAck>((reply) => this.dispatchEvent(new BookmarkRequestEvent({ type: 'bookmark', label: this.label }, reply)));
    this.sending = false;
    if (ack.ok) {
      this.confirm(cleanLabel(this.label));
      this.close();
    } else {
      this.refusal = ack.error;
      await this.updateComplete;
      this.field?.focus();
    }
  }

  /** "Bookmarked: …" for a while, said once by the live region. */
  private confirm(label: string): void {
    clearTimeout(this.droppedTimer);
    this.dropped = label;
    this.droppedTimer = setTimeout(() => (this.dropped = null), CONFIRMATION_MS);
  }

  /** Back to the button, focus with it, so the console's keys work again. */
  private close(): void {
    this.editing = false;
    this.refusal = null;
    void this.updateComplete.then(() => this.opener?.focus());
  }
}

/** Where the lecture is, as a bookmark's first label: the sample and the stage the pass is at. */
export function defaultLabel(snapshot: Snapshot | null): string {
  if (!snapshot) return 'Bookmark';
  const sample = `Sample ${snapshot.sampleIndex}`;
  if (snapshot.stage === 'idle') return `${sample}, before its pass`;
  return `${sample} at ${stageLabel(snapshot.stage)}`;
}

/**
 * The console asks for a bookmark to be recorded; the page sends it (as it sends every command)
 * and calls `reply` with the server's ack, so the control can say "Bookmarked" or why not.
 */
export class BookmarkRequestEvent extends CustomEvent<{ readonly command: Command; readonly reply: (ack: CommandAck) => void }> {
  static readonly type = 'bp-bookmark';
  constructor(command: Command, reply: (ack: CommandAck) => void) {
    super(BookmarkRequestEvent.type, { detail: { command, reply }, bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bookmark-control': BookmarkControl;
  }
  interface HTMLElementEventMap {
    'bp-bookmark': BookmarkRequestEvent;
  }
}
