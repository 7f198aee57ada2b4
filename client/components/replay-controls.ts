import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Chapter } from '../../shared/lecture/chapters.js';
import type { NarrationTakeInfo } from '../../shared/protocol/narration.js';
import { formatMoment } from '../../shared/protocol/moment-link.js';
import { ReplayActionEvent, type ReplayAction } from '../lib/events.js';
import { SPEEDS } from '../lib/replay-controller.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';
import './player-menu.js';
import './replay-timeline.js';

/**
 * The replay's one thin bar: play, the time, the timeline, the speed, and a menu for the rest
 * (player-menu). One row, at most 56 px tall on a phone and 64 px on a laptop, so the lesson
 * keeps the screen.
 */
@customElement('replay-controls')
export class ReplayControls extends LitElement {
  @property({ type: Boolean }) playing = false;
  @property({ type: Number }) speed = 1;
  /** The playhead and the end, as the timeline counts them (player ms). */
  @property({ type: Number }) playerTime = 0;
  @property({ type: Number }) playerDuration = 0;
  /** The playhead and the end as the clock shows them: lecture time since the recording's start (ms). */
  @property({ type: Number }) time = 0;
  @property({ type: Number }) duration = 0;
  @property({ attribute: false }) eventMarks: readonly number[] = [];
  @property({ attribute: false }) chapterMarks: readonly number[] = [];
  /** What the timeline says of the moment: "03:05, Forward pass, sample 2". */
  @property() valueText = '';
  @property() lectureId = '';
  @property({ attribute: false }) takes: readonly NarrationTakeInfo[] = [];
  @property({ attribute: false }) idleLimit: number | null = null;
  @property({ type: Boolean }) narrationOn = true;
  /** Chapters for the menu (the minimal player's); empty: the list is beside the player. */
  @property({ attribute: false }) menuChapters: readonly Chapter[] = [];
  @property({ attribute: false }) chapterTimes: readonly number[] = [];
  @property({ type: Number }) currentChapter = -1;

  static override styles = [
    panelStyles,
    buttonStyles,
    css`
      :host {
        display: block;
        container-type: inline-size;
      }
      .bar {
        display: flex;
        align-items: center;
        gap: 0.4rem;
        padding: 0.2rem 0.5rem;
        background: var(--bg);
        border-bottom: 1px solid var(--border);
        min-width: 0;
      }
      .play {
        width: 2.5rem;
        justify-content: center;
        flex: none;
      }
      .clock {
        font-variant-numeric: tabular-nums;
        font-size: 0.85rem;
        white-space: nowrap;
        flex: none;
      }
      replay-timeline {
        flex: 1;
        min-width: 5rem;
      }
      select {
        flex: none;
        padding-inline: 0.2rem;
      }
      player-menu {
        flex: none;
      }
      /* A phone's bar: the clock without the length (the menu and the timeline's words have it). */
      @container (max-width: 480px) {
        .length {
          display: none;
        }
        .bar {
          gap: 0.25rem;
          padding-inline: 0.25rem;
        }
        .play {
          width: 2.25rem;
        }
      }
    `,
  ];

  override render() {
    return html`<div class="bar" role="group" aria-label="Player" data-testid="replay-bar">
      <button class="primary play" @click=${() => this.ask({ type: 'toggle' })} data-testid="play" aria-label=${this.playing ? 'Pause' : 'Play'}>
        ${this.playing ? '❚❚' : '▶'}
      </button>
      <span class="clock" data-testid="replay-clock"
        ><span data-testid="replay-time">${formatMoment(this.time)}</span><span class="length"> / ${formatMoment(this.duration)}</span></span
      >
      <replay-timeline
        .duration=${this.playerDuration}
        .value=${this.playerTime}
        .events=${this.eventMarks}
        .chapters=${this.chapterMarks}
        .valueText=${this.valueText}
      ></replay-timeline>
      <select id="speed" aria-label="Speed" title="Speed" @change=${(e: Event) => this.ask({ type: 'speed', speed: Number((e.target as HTMLSelectElement).value) })}>
        ${SPEEDS.map((s) => html`<option value=${s} ?selected=${s === this.speed}>${s}×</option>`)}
      </select>
      <player-menu
        .lectureId=${this.lectureId}
        .takes=${this.takes}
        .idleLimit=${this.idleLimit}
        .narrationOn=${this.narrationOn}
        .chapters=${this.menuChapters}
        .chapterTimes=${this.chapterTimes}
        .currentChapter=${this.currentChapter}
      ></player-menu>
    </div>`;
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
