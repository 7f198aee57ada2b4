import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { Chapter } from '../../shared/lecture/chapters.js';
import { formatMoment } from '../../shared/protocol/moment-link.js';
import { ReplayActionEvent } from '../lib/events.js';
import { panelStyles } from '../lib/shared-styles.js';

/** Screens at least this wide show the list open beside the lesson; narrower ones start it closed. */
const WIDE = '(min-width: 1100px)';

/**
 * The recording's chapters, beside the player: each a button that seeks to its first event, the
 * one the playhead is in marked (aria-current, a bar and bold). A disclosure (<details>), open on a
 * wide screen and closed on a phone, where its summary still names the current chapter.
 */
@customElement('chapter-list')
export class ChapterList extends LitElement {
  @property({ attribute: false }) chapters: readonly Chapter[] = [];
  /** Each chapter's time since the recording's start (ms). */
  @property({ attribute: false }) times: readonly number[] = [];
  /** Index of the chapter the playhead is in (−1: before the first). */
  @property({ type: Number }) current = -1;

  @query('ol') private list!: HTMLOListElement;
  private readonly startsOpen = matchMedia(WIDE).matches;

  static override styles = [
    panelStyles,
    css`
      details {
        border: 1px solid var(--border);
        border-radius: 0.5rem;
        background: var(--bg);
      }
      summary {
        cursor: pointer;
        padding: 0.5rem 0.75rem;
        min-height: 2.25rem;
        font-weight: 650;
        font-size: 0.95rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      summary .now {
        font-weight: 400;
        color: var(--muted);
      }
      details[open] summary .now {
        display: none;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0 0 0.4rem;
        max-height: var(--chapters-height, 60vh);
        overflow-y: auto;
        overscroll-behavior: contain;
        /* Items' offsetTop is measured from the list. */
        position: relative;
      }
      button {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        width: 100%;
        text-align: left;
        font: inherit;
        font-size: 0.88rem;
        color: var(--fg);
        background: none;
        border: 0;
        border-left: 3px solid transparent;
        padding: 0.35rem 0.75rem 0.35rem 0.6rem;
        min-height: 2rem;
        cursor: pointer;
      }
      button:hover {
        background: var(--panel);
      }
      button[aria-current='true'] {
        border-left-color: var(--forward);
        background: var(--forward-bg);
        font-weight: 650;
      }
      .time {
        margin-left: auto;
        color: var(--muted);
        font-variant-numeric: tabular-nums;
        flex: none;
      }
      button:focus-visible {
        outline: 3px solid var(--focus);
        outline-offset: -3px;
      }
    `,
  ];

  override render() {
    const now = this.chapters[this.current];
    return html`<details ?open=${this.startsOpen} data-testid="chapters">
      <summary>Chapters (${this.chapters.length})${now ? html`<span class="now">: ${now.title}</span>` : ''}</summary>
      <ol aria-label="Chapters">
        ${this.chapters.map(
          (c, i) => html`<li>
            <button
              aria-current=${i === this.current ? 'true' : 'false'}
              data-testid="chapter"
              @click=${() => this.dispatchEvent(new ReplayActionEvent({ type: 'chapter', seq: c.seq }))}
            >
              <span>${c.title}</span><span class="time">${formatMoment(this.times[i] ?? 0)}</span>
            </button>
          </li>`,
        )}
      </ol>
    </details>`;
  }

  /** The current chapter stays in the list's view (the list scrolls, never the page). */
  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('current') || !this.list) return;
    const item = this.list.querySelectorAll('li')[this.current];
    if (!item) return;
    const top = item.offsetTop;
    if (top < this.list.scrollTop || top + item.offsetHeight > this.list.scrollTop + this.list.clientHeight) {
      this.list.scrollTop = top - this.list.clientHeight / 3;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'chapter-list': ChapterList;
  }
}
