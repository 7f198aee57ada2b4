import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { buttonStyles, formStyles } from '../lib/shared-styles.js';
import { publicBase } from '../lib/site.js';

/** The size the snippet suggests: the player's bar and the lesson's first screen fit in it. */
export const EMBED_WIDTH = 800;
export const EMBED_HEIGHT = 500;

/** `&`, `<`, `>`, `"` and `'` as HTML entities: a lecture's title is anyone's text, pasted into someone's page. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Where an embed starts: a `?t=` value (`1:05`), else the moment after event `seq`; null, the start. */
export type EmbedStart = { readonly t: string } | { readonly seq: number } | null;

/**
 * The `<iframe>` another site pastes to show this replay: the embed page on the server's public
 * base, opening at `start`, titled for screen readers after the lecture.
 */
export function embedSnippet(base: string, lectureId: string, title: string, start: EmbedStart): string {
  const query = start === null ? '' : 't' in start ? `?t=${encodeURIComponent(start.t).replace(/%3A/gi, ':')}` : `?seq=${start.seq}`;
  const src = `${base}/embed/${encodeURIComponent(lectureId)}${query}`;
  const name = `Backprop Live replay: ${title || 'Lecture'}`;
  return `<iframe src="${escapeHtml(src)}" width="${EMBED_WIDTH}" height="${EMBED_HEIGHT}" allow="autoplay" title="${escapeHtml(name)}"></iframe>`;
}

/**
 * "Embed": a modal dialog with the `<iframe>` snippet for this replay, starting at the current
 * moment (or from the start, unticked), and a Copy button. A `<dialog>` shown with showModal():
 * focus moves in and is kept there, Esc closes it, and focus returns to what opened it.
 */
@customElement('embed-dialog')
export class EmbedDialog extends LitElement {
  @property() lectureId = '';
  /** The lecture's title, for the frame's accessible name. */
  @property() lectureTitle = '';
  /** The moment shown when the dialog opens, as `?t=` writes it (`1:05`); empty: none names it (then `seq`). */
  @property() moment = '';
  /** The seq of the last event shown when the dialog opens, for a moment no `?t=` names; 0: the start. */
  @property({ type: Number }) seq = 0;

  @state() private base: string | null = null;
  @state() private baseError: string | null = null;
  @state() private atMoment = true;
  @state() private copied: 'yes' | 'refused' | null = null;
  @query('dialog') private dialog!: HTMLDialogElement;
  @query('textarea') private snippetBox!: HTMLTextAreaElement;
  private opener: HTMLElement | null = null;

  static override styles = [
    buttonStyles,
    formStyles,
    css`
      dialog {
        border: 1px solid var(--border);
        border-radius: 0.5rem;
        padding: 1rem 1.25rem;
        width: min(36rem, calc(100vw - 2rem));
        box-sizing: border-box;
        background: var(--bg);
        color: var(--fg);
      }
      input[type='checkbox'] {
        min-height: 0;
        width: 1.1rem;
        height: 1.1rem;
        margin: 0;
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.35);
      }
      h2 {
        margin-top: 0;
        font-size: 1.1rem;
      }
      textarea {
        width: 100%;
        box-sizing: border-box;
        font-family: var(--mono);
        font-size: 0.85rem;
        min-height: 6rem;
        resize: vertical;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        justify-content: flex-end;
        margin-top: 0.75rem;
      }
      .error {
        color: var(--danger);
      }
    `,
  ];

  get open(): boolean {
    return this.dialog?.open ?? false;
  }

  /**
   * Opens the dialog once the event that asked for it is over, and focus goes back to `opener`
   * (default: what has focus then) when it closes. Not at once: a menu item that asks then closes
   * its menu and gives focus back to the menu's button, which is where focus must return (the
   * item is gone by then, and while the dialog is modal the button could not take focus).
   */
  show(opener?: HTMLElement): void {
    setTimeout(() => {
      if (this.dialog.open) return;
      this.opener = opener ?? deepActiveElement();
      this.copied = null;
      this.atMoment = this.start() !== null;
      void this.loadBase();
      this.dialog.showModal();
    }, 0);
  }

  override render() {
    const start = this.start();
    const snippet = this.base === null ? '' : embedSnippet(this.base, this.lectureId, this.lectureTitle, this.atMoment ? start : null);
    return html`<dialog aria-labelledby="embed-title" data-testid="embed-dialog" @close=${this.onClose}>
      <h2 id="embed-title">Embed this replay</h2>
      <p>Paste this into a course page: it shows the replay in a frame, with its own player.</p>
      ${start
        ? html`<p><label class="choice"><input type="checkbox" .checked=${this.atMoment} @change=${(e: Event) => (this.atMoment = (e.target as HTMLInputElement).checked)} data-testid="embed-at-moment" /> Start at ${'t' in start ? start.t : `event ${start.seq}`}</label></p>`
        : nothing}
      ${this.baseError
        ? html`<p class="error" role="alert">No snippet to hand out: ${this.baseError}. Close and open this again to retry.</p>`
        : html`<label for="embed-code">HTML to paste</label>
            <textarea id="embed-code" readonly data-testid="embed-code" .value=${snippet} @focus=${(e: Event) => (e.target as HTMLTextAreaElement).select()}></textarea>`}
      <div class="actions">
        ${this.copied === 'refused' ? html`<span class="error" role="status">This browser refused to copy; the HTML is selected, copy it by hand.</span>` : nothing}
        <button class="primary" @click=${() => void this.copy(snippet)} ?disabled=${!snippet} data-testid="embed-copy">${this.copied === 'yes' ? 'Copied ✓' : 'Copy HTML'}</button>
        <form method="dialog"><button data-testid="embed-close">Close</button></form>
      </div>
    </dialog>`;
  }

  private start(): EmbedStart {
    if (this.moment) return { t: this.moment };
    return Number.isInteger(this.seq) && this.seq > 0 ? { seq: this.seq } : null;
  }

  private async loadBase(): Promise<void> {
    try {
      this.base = await publicBase();
      this.baseError = null;
    } catch (e) {
      this.baseError = e instanceof Error ? e.message : String(e);
    }
  }

  private async copy(snippet: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(snippet);
      this.copied = 'yes';
    } catch {
      // Clipboard can be refused (an insecure origin, a denied permission): the snippet is on screen.
      this.copied = 'refused';
      this.snippetBox?.focus();
      this.snippetBox?.select();
    }
  }

  /** The browser restores focus itself only when it can see the opener; an opener inside a shadow root is given it here. */
  private onClose = () => {
    const opener = this.opener;
    this.opener = null;
    if (opener?.isConnected) opener.focus();
  };
}

/** The focused element, through shadow roots. */
function deepActiveElement(): HTMLElement | null {
  let active: Element | null = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : null;
}

declare global {
  interface HTMLElementTagNameMap {
    'embed-dialog': EmbedDialog;
  }
}
