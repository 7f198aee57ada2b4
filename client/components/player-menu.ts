import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { Chapter } from '../../shared/lecture/chapters.js';
import type { NarrationTakeInfo } from '../../shared/protocol/narration.js';
import { formatMoment } from '../../shared/protocol/moment-link.js';
import { ReplayActionEvent, type ReplayAction } from '../lib/events.js';
import { IDLE_LIMITS, narrationTakeUrl } from '../lib/replay-controller.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';

/**
 * The player's menu, for everything the thin bar has no room for: copy a link to this moment,
 * embed, the downloads (recording, notebook, weights, loss, narration), how long pauses play,
 * the narration on or off, the keys; in the minimal player the chapters too. A menu button with
 * a menu (WAI-ARIA's menu button pattern): ↑ ↓ Home End move, Enter or Space choose, Esc and Tab
 * close it, focus returns to the button.
 */
@customElement('player-menu')
export class PlayerMenu extends LitElement {
  @property() lectureId = '';
  @property({ attribute: false }) takes: readonly NarrationTakeInfo[] = [];
  @property({ attribute: false }) idleLimit: number | null = null;
  @property({ type: Boolean }) narrationOn = true;
  /** The chapters, listed in the menu (the minimal player has no list beside it); empty: none listed. */
  @property({ attribute: false }) chapters: readonly Chapter[] = [];
  /** Each listed chapter's time since the recording's start (ms). */
  @property({ attribute: false }) chapterTimes: readonly number[] = [];
  @property({ type: Number }) currentChapter = -1;

  @state() private open = false;
  @query('button.menu-button') private button!: HTMLButtonElement;

  static override styles = [
    panelStyles,
    buttonStyles,
    css`
      :host {
        display: block;
        position: relative;
      }
      .menu-button {
        min-width: 2.25rem;
        justify-content: center;
      }
      [role='menu'] {
        position: absolute;
        right: 0;
        top: calc(100% + 0.25rem);
        z-index: 20;
        min-width: 16rem;
        max-width: calc(100vw - 1rem);
        max-height: min(32rem, calc(100vh - 5rem));
        overflow-y: auto;
        margin: 0;
        padding: 0.3rem 0;
        list-style: none;
        background: var(--bg);
        border: 1px solid var(--border);
        border-radius: 0.5rem;
        box-shadow: 0 6px 24px rgb(0 0 0 / 0.18);
      }
      .heading {
        font-size: 0.75rem;
        font-weight: 650;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        color: var(--muted);
        padding: 0.5rem 0.9rem 0.2rem;
      }
      [role='separator'] {
        border-top: 1px solid var(--border);
        margin: 0.3rem 0;
      }
      .item {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        width: 100%;
        text-align: left;
        font: inherit;
        font-size: 0.9rem;
        color: var(--fg);
        background: none;
        border: 0;
        border-radius: 0;
        padding: 0.45rem 0.9rem;
        min-height: 2.25rem;
        text-decoration: none;
        cursor: pointer;
      }
      .item:hover,
      .item:focus {
        background: var(--panel);
      }
      .item:focus-visible {
        outline: 3px solid var(--focus);
        outline-offset: -3px;
      }
      .check {
        width: 1rem;
        flex: none;
      }
      .time {
        margin-left: auto;
        color: var(--muted);
        font-variant-numeric: tabular-nums;
      }
      .item[aria-current='true'] {
        font-weight: 650;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('pointerdown', this.onOutside, true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('pointerdown', this.onOutside, true);
  }

  override render() {
    return html`
      <button
        class="menu-button"
        aria-haspopup="menu"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="player-menu"
        aria-label="More: link, downloads, settings"
        data-testid="player-menu"
        @click=${() => this.toggle()}
        @keydown=${this.onButtonKey}
      >
        ⋯
      </button>
      ${this.open ? this.renderMenu() : nothing}
    `;
  }

  private renderMenu() {
    const api = `/api/lectures/${encodeURIComponent(this.lectureId)}`;
    return html`<div role="menu" id="player-menu" aria-label="Replay menu" @keydown=${this.onMenuKey} @click=${this.onChosen}>
      ${this.chapters.length ? this.renderChapters() : nothing}
      ${this.action('copy-link', 'Copy link to this moment', { type: 'copy-link' })} ${this.action('embed', 'Embed this replay…', { type: 'embed' })}
      <div role="separator"></div>
      <div class="heading" aria-hidden="true">Download</div>
      ${this.action('download-json', 'Recording (JSON)', { type: 'download' })}
      ${link('export-ipynb', 'Notebook (.ipynb)', `${api}/export.ipynb`)} ${link('export-weights', 'Weights (JSON)', `${api}/export/weights.json`)}
      ${link('export-loss', 'Loss (CSV)', `${api}/export/loss.csv`)}
      ${this.takes.map((t, i) =>
        link(`download-narration-${t.take}`, this.takes.length > 1 ? `Narration, take ${i + 1} (${formatMoment(t.durationMs)})` : `Narration (${formatMoment(t.durationMs)})`, `${narrationTakeUrl(this.lectureId, t.take)}?download=1`),
      )}
      <div role="separator"></div>
      <div class="heading" aria-hidden="true">Pauses longer than a limit</div>
      ${IDLE_LIMITS.map((limit) =>
        this.radio(`idle-${limit ?? 'off'}`, limit === null ? 'Play pauses in full' : `Shorten to ${limit / 1000} s`, limit === this.idleLimit, { type: 'idle', limit }),
      )}
      ${this.takes.length
        ? html`<div role="separator"></div>
            ${this.checkbox('narration', 'Narration', this.narrationOn, { type: 'narration', on: !this.narrationOn })}`
        : nothing}
      <div role="separator"></div>
      ${this.action('keys', 'Keyboard shortcuts', { type: 'keys' })}
    </div>`;
  }

  private renderChapters() {
    return html`<div class="heading" aria-hidden="true">Chapters</div>
      ${this.chapters.map(
        (c, i) =>
          html`<button
            role="menuitem"
            class="item"
            tabindex="-1"
            aria-current=${i === this.currentChapter ? 'true' : 'false'}
            data-testid="menu-chapter"
            data-action="chapter"
            @click=${() => this.ask({ type: 'chapter', seq: c.seq })}
          >
            <span class="check" aria-hidden="true">${i === this.currentChapter ? '▸' : ''}</span>${c.title}<span class="time">${formatMoment(this.chapterTimes[i] ?? 0)}</span>
          </button>`,
      )}
      <div role="separator"></div>`;
  }

  private action(testid: string, label: string, action: ReplayAction): TemplateResult {
    return html`<button role="menuitem" class="item" tabindex="-1" data-testid="menu-${testid}" @click=${() => this.ask(action)}>
      <span class="check" aria-hidden="true"></span>${label}
    </button>`;
  }

  private radio(testid: string, label: string, checked: boolean, action: ReplayAction): TemplateResult {
    return html`<button role="menuitemradio" class="item" tabindex="-1" aria-checked=${checked ? 'true' : 'false'} data-testid="menu-${testid}" @click=${() => this.ask(action)}>
      <span class="check" aria-hidden="true">${checked ? '●' : ''}</span>${label}
    </button>`;
  }

  private checkbox(testid: string, label: string, checked: boolean, action: ReplayAction): TemplateResult {
    return html`<button role="menuitemcheckbox" class="item" tabindex="-1" aria-checked=${checked ? 'true' : 'false'} data-testid="menu-${testid}" @click=${() => this.ask(action)}>
      <span class="check" aria-hidden="true">${checked ? '✓' : ''}</span>${label}
    </button>`;
  }

  private toggle(focus: 'first' | 'last' = 'first'): void {
    if (this.open) return this.close(true);
    this.open = true;
    void this.updateComplete.then(() => {
      const items = this.items();
      const current = items.find((el) => el.getAttribute('aria-current') === 'true');
      (current ?? (focus === 'first' ? items[0] : items[items.length - 1]))?.focus();
    });
  }

  private close(refocus: boolean): void {
    if (!this.open) return;
    this.open = false;
    if (refocus) this.button?.focus();
  }

  /** One item in the tab order (roving tabindex): the scrollable menu is then reachable from the keyboard. */
  protected override updated(): void {
    const items = this.items();
    const focused = items.find((el) => el.matches(':focus'));
    items.forEach((el, i) => (el.tabIndex = (focused ? el === focused : i === 0) ? 0 : -1));
  }

  private items(): HTMLElement[] {
    return [...(this.renderRoot.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? [])];
  }

  private onButtonKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!this.open) this.toggle(e.key === 'ArrowDown' ? 'first' : 'last');
    }
  };

  private onMenuKey = (e: KeyboardEvent) => {
    const items = this.items();
    const at = items.indexOf(this.renderRoot.querySelector<HTMLElement>(':focus') ?? items[0]);
    const move = (i: number) => {
      const next = items[(i + items.length) % items.length];
      if (!next) return;
      for (const el of items) el.tabIndex = el === next ? 0 : -1;
      next.focus();
    };
    // Keys inside the menu are the menu's: the page's (space, arrows) must not act on the replay too.
    e.stopPropagation();
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        return move(at + 1);
      case 'ArrowUp':
        e.preventDefault();
        return move(at - 1);
      case 'Home':
        e.preventDefault();
        return move(0);
      case 'End':
        e.preventDefault();
        return move(items.length - 1);
      case 'Escape':
        e.preventDefault();
        return this.close(true);
      case 'Tab':
        return this.close(false);
    }
  };

  /** A chosen item closes the menu (a link downloads, a button acts), and focus goes back to the button. */
  private onChosen = (e: Event) => {
    const item = (e.target as HTMLElement).closest('[role^="menuitem"]');
    if (item) this.close(true);
  };

  private onOutside = (e: PointerEvent) => {
    if (this.open && !e.composedPath().includes(this)) this.close(false);
  };

  private ask(action: ReplayAction): void {
    this.dispatchEvent(new ReplayActionEvent(action));
  }
}

function link(testid: string, label: string, href: string): TemplateResult {
  return html`<a role="menuitem" class="item" tabindex="-1" href=${href} download data-testid=${testid}><span class="check" aria-hidden="true"></span>${label}</a>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'player-menu': PlayerMenu;
  }
}
