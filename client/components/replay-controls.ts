import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ReplayActionEvent, type ReplayAction } from '../lib/events.js';
import { SPEEDS, type Marker } from '../lib/replay-controller.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';

/** Play/pause, speed, previous/next and a scrub bar marked at every pass start and epoch. */
@customElement('replay-controls')
export class ReplayControls extends LitElement {
  @property({ type: Number }) position = 0;
  @property({ type: Number }) length = 0;
  @property({ type: Boolean }) playing = false;
  @property({ type: Number }) speed = 1;
  @property({ attribute: false }) markers: readonly Marker[] = [];
  /** What the event at the current position was, in words. */
  @property() label = '';
  /** The lecture's code, for the export links. */
  @property() lectureId = '';

  static override styles = [
    panelStyles,
    buttonStyles,
    css`
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 0.75rem;
        align-items: center;
      }
      .scrub {
        position: relative;
        margin: 0.5rem 0 0.25rem;
        /* The range thumb's centre never reaches the track's ends: ticks are inset to match. */
        --inset: 8px;
      }
      input[type='range'] {
        width: 100%;
        margin: 0;
        min-height: 1.75rem;
        position: relative;
        z-index: 1;
        background: transparent;
      }
      .ticks {
        position: absolute;
        left: var(--inset);
        right: var(--inset);
        top: 0;
        bottom: 0;
        pointer-events: none;
      }
      .tick {
        position: absolute;
        top: 0.1rem;
        width: 2px;
        height: 0.5rem;
        background: var(--forward);
        transform: translateX(-1px);
      }
      .tick.epoch {
        top: auto;
        bottom: 0;
        height: 0.6rem;
        width: 3px;
        background: var(--update);
      }
      .legend {
        font-size: 0.8rem;
        color: var(--muted);
        display: flex;
        gap: 1rem;
        flex-wrap: wrap;
      }
      .swatch {
        display: inline-block;
        width: 3px;
        height: 0.8rem;
        vertical-align: middle;
        margin-right: 0.3rem;
      }
      .where {
        font-variant-numeric: tabular-nums;
      }
      .exports {
        font-size: 0.85rem;
        color: var(--muted);
      }
    `,
  ];

  override render() {
    const n = Math.max(1, this.length);
    return html`
      <section class="panel" aria-label="Replay controls">
        <div class="row">
          <button class="primary" @click=${() => this.ask({ type: 'toggle' })} data-testid="play" aria-label=${this.playing ? 'Pause' : 'Play'}>
            ${this.playing ? '❚❚ Pause' : '▶ Play'}
          </button>
          <button @click=${() => this.ask({ type: 'step', by: -1 })} ?disabled=${this.position <= 0} aria-label="Previous event" data-testid="prev">‹ Prev</button>
          <button @click=${() => this.ask({ type: 'step', by: 1 })} ?disabled=${this.position >= this.length} aria-label="Next event" data-testid="next">Next ›</button>
          <label for="speed">Speed</label>
          <select id="speed" @change=${(e: Event) => this.ask({ type: 'speed', speed: Number((e.target as HTMLSelectElement).value) })}>
            ${SPEEDS.map((s) => html`<option value=${s} ?selected=${s === this.speed}>${s}×</option>`)}
          </select>
          <span class="where" data-testid="replay-position" aria-live="polite">event <strong>${this.position}</strong> of ${this.length}${this.label ? html` · ${this.label}` : nothing}</span>
          <button @click=${() => this.ask({ type: 'download' })}>Download JSON</button>
          ${this.lectureId
            ? html`<span class="exports">
                Export:
                <a href="/api/lectures/${this.lectureId}/export.ipynb" download data-testid="export-ipynb">notebook (.ipynb)</a>
                · <a href="/api/lectures/${this.lectureId}/export/weights.json" download>weights</a>
                · <a href="/api/lectures/${this.lectureId}/export/loss.csv" download>loss CSV</a>
              </span>`
            : nothing}
        </div>
        <div class="scrub">
          <div class="ticks" aria-hidden="true">
            ${this.markers.map((m) => html`<span class="tick ${m.kind}" style="left:${(m.position / n) * 100}%"></span>`)}
          </div>
          <input
            type="range"
            min="0"
            max=${this.length}
            step="1"
            .value=${String(this.position)}
            aria-label="Position in the recording"
            aria-valuetext="event ${this.position} of ${this.length}${this.label ? `, ${this.label}` : ''}"
            data-testid="scrub"
            @input=${(e: Event) => this.ask({ type: 'seek', position: Number((e.target as HTMLInputElement).value) })}
          />
        </div>
        <div class="legend">
          <span><span class="swatch" style="background:var(--forward)"></span>pass starts (top ticks)</span>
          <span><span class="swatch" style="background:var(--update)"></span>new epoch (bottom ticks)</span>
          <span>Keys: space play/pause, ← → previous/next event</span>
        </div>
      </section>
    `;
  }

  private ask(action: ReplayAction): void {
    this.dispatchEvent(new ReplayActionEvent(action));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'replay-controls': ReplayControls;
  }
}
