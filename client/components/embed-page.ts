import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { displayCode } from '../lib/format.js';
import { ReplayController } from '../lib/replay-controller.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';
import './lecture-view.js';

/**
 * The replay for other sites to frame (`/embed/:id`, `?t=` / `?seq=`): the player and the lesson,
 * no site chrome, and one link out to the full replay. It runs inside someone else's page, where
 * third-party storage may be refused, so it keeps nothing in storage; its fetches go to this
 * server, the frame's own origin.
 */
@customElement('embed-page')
export class EmbedPage extends LitElement {
  @property() lectureId = '';

  private replay: ReplayController | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    css`
      :host {
        display: block;
      }
      .bar {
        position: sticky;
        top: 0;
        z-index: 2;
        display: flex;
        align-items: center;
        gap: 0.5rem;
        padding: 0.25rem 0.5rem;
        background: var(--bg, Canvas);
        border-bottom: 1px solid var(--border);
      }
      .bar input[type='range'] {
        flex: 1;
        min-width: 4rem;
        min-height: 1.75rem;
        margin: 0;
      }
      .where {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
        font-size: 0.85rem;
      }
      .out {
        font-size: 0.85rem;
        white-space: nowrap;
      }
      lecture-view {
        display: block;
        padding: 0.5rem;
      }
      .error {
        margin: 1rem;
        border: 2px solid var(--danger);
        border-radius: 0.5rem;
        padding: 0.75rem 1rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.onKey);
  }

  /** On the first update: only then are properties set before a lazy upgrade restored. */
  protected override willUpdate(): void {
    this.replay ??= new ReplayController(this, this.lectureId);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keydown', this.onKey);
  }

  override render() {
    const r = this.replay!;
    if (r.loading) return html`<p role="status">Loading the recording…</p>`;
    if (r.error || !r.recording) {
      return html`<main class="error" role="alert" data-testid="embed-error">
        <h1>Cannot replay lecture ${displayCode(this.lectureId)}</h1>
        <p>${r.error}</p>
      </main>`;
    }
    const title = r.recording.lecture.title || 'Lecture';
    document.title = `${title} · Backprop Live replay`;
    return html`<main aria-label="Replay of ${title}">
      <div class="bar" role="group" aria-label="Player" data-testid="embed-bar">
        <button class="primary" @click=${() => r.toggle()} data-testid="play" aria-label=${r.playing ? 'Pause' : 'Play'}>${r.playing ? '❚❚' : '▶'}</button>
        <input
          type="range"
          min="0"
          max=${r.length}
          step="1"
          .value=${String(r.position)}
          aria-label="Position in the recording"
          aria-valuetext="event ${r.position} of ${r.length}"
          data-testid="scrub"
          @input=${(e: Event) => {
            r.pause();
            r.seek(Number((e.target as HTMLInputElement).value));
          }}
        />
        <span class="where" data-testid="replay-position">${r.position} / ${r.length}</span>
        <a class="out" href="/replay/${encodeURIComponent(this.lectureId)}?seq=${r.snapshot?.seq ?? 0}" target="_blank" rel="noopener">Open on Backprop Live</a>
      </div>
      ${r.snapshot ? html`<lecture-view .snapshot=${r.snapshot}></lecture-view>` : nothing}
    </main>`;
  }

  private onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.composedPath()[0];
    if (target instanceof HTMLElement && ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(target.tagName)) return;
    const r = this.replay;
    if (!r?.recording) return;
    if (e.key === ' ') {
      e.preventDefault();
      r.toggle();
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      r.pause();
      if (e.key === 'ArrowRight') r.next();
      else r.previous();
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'embed-page': EmbedPage;
  }
}
