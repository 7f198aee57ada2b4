import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ReplayActionEvent, type ReplayAction } from '../lib/events.js';
import { panelStyles } from '../lib/shared-styles.js';

/** How far PageUp and PageDown move the playhead (player ms). */
const PAGE_MS = 10_000;
/** Marks closer than this share of the width are drawn as one: a long lecture has 100,000 events. */
const MARK_GRAIN = 1 / 600;

/**
 * The replay's timeline: a slider over player time (a native range input, so touch, pointer and
 * screen readers all know it) with the events as ticks and the chapters' starts as taller marks.
 * ← and → step event by event (as they do on the page), PageUp/PageDown by ten seconds, Home and
 * End to the ends; the slider says the time and the chapter (`valueText`), not a number of ms.
 */
@customElement('replay-timeline')
export class ReplayTimeline extends LitElement {
  /** Player time of the end (ms). */
  @property({ type: Number }) duration = 0;
  /** The playhead (player ms). */
  @property({ type: Number }) value = 0;
  /** Each event's player time. */
  @property({ attribute: false }) events: readonly number[] = [];
  /** Each chapter's start, in player time. */
  @property({ attribute: false }) chapters: readonly number[] = [];
  /** What the slider says: "03:05, Forward pass, sample 2". */
  @property() valueText = '';

  static override styles = [
    panelStyles,
    css`
      :host {
        display: block;
        position: relative;
        min-width: 0;
        /* The thumb's centre never reaches the track's ends: the marks are inset to match. */
        --inset: 8px;
      }
      svg {
        position: absolute;
        left: var(--inset);
        width: calc(100% - 2 * var(--inset));
        top: 0;
        height: 100%;
        pointer-events: none;
        overflow: visible;
      }
      .event {
        stroke: var(--muted);
        stroke-width: 1;
      }
      .chapter {
        stroke: var(--forward);
        stroke-width: 2;
      }
      input {
        display: block;
        width: 100%;
        height: 2.25rem;
        margin: 0;
        background: transparent;
        appearance: none;
        -webkit-appearance: none;
        cursor: pointer;
      }
      input::-webkit-slider-runnable-track {
        height: 6px;
        border-radius: 3px;
        background: linear-gradient(to right, var(--fg) var(--played), var(--border) var(--played));
      }
      input::-moz-range-track {
        height: 6px;
        border-radius: 3px;
        background: linear-gradient(to right, var(--fg) var(--played), var(--border) var(--played));
      }
      input::-webkit-slider-thumb {
        -webkit-appearance: none;
        width: 16px;
        height: 16px;
        margin-top: -5px;
        border-radius: 50%;
        background: var(--fg);
        border: 2px solid var(--bg);
        box-shadow: 0 0 0 1px var(--fg);
      }
      input::-moz-range-thumb {
        width: 14px;
        height: 14px;
        border-radius: 50%;
        background: var(--fg);
        border: 2px solid var(--bg);
      }
      input:focus-visible {
        outline: 3px solid var(--focus);
        outline-offset: 0;
        border-radius: 0.3rem;
      }
    `,
  ];

  override render() {
    const d = Math.max(1, this.duration);
    const played = `${Math.min(100, (this.value / d) * 100)}%`;
    return html`
      <svg aria-hidden="true" viewBox="0 0 1000 36" preserveAspectRatio="none">
        <path class="event" d=${ticks(this.events, d, 8, 6) || 'M0 0'} vector-effect="non-scaling-stroke"></path>
        <path class="chapter" d=${ticks(this.chapters, d, 3, 11) || 'M0 0'} vector-effect="non-scaling-stroke"></path>
        <path class="chapter" d=${ticks(this.chapters, d, 23, 8) || 'M0 0'} vector-effect="non-scaling-stroke"></path>
      </svg>
      <input
        type="range"
        min="0"
        max=${d}
        step="any"
        style="--played:${played}"
        .value=${String(this.value)}
        aria-label="Timeline"
        aria-valuetext=${this.valueText}
        data-testid="scrub"
        @input=${(e: Event) => this.ask({ type: 'seek', playerTime: Number((e.target as HTMLInputElement).value) })}
        @keydown=${this.onKey}
      />
    `;
  }

  private onKey = (e: KeyboardEvent) => {
    const action = keyAction(e.key, this.value);
    if (!action) return;
    e.preventDefault();
    e.stopPropagation();
    this.ask(action);
  };

  private ask(action: ReplayAction): void {
    this.dispatchEvent(new ReplayActionEvent(action));
  }
}

function keyAction(key: string, value: number): ReplayAction | null {
  switch (key) {
    case 'ArrowRight':
    case 'ArrowUp':
      return { type: 'step', by: 1 };
    case 'ArrowLeft':
    case 'ArrowDown':
      return { type: 'step', by: -1 };
    case 'PageUp':
      return { type: 'seek', playerTime: value + PAGE_MS };
    case 'PageDown':
      return { type: 'seek', playerTime: Math.max(0, value - PAGE_MS) };
    case 'Home':
      return { type: 'edge', to: 'start' };
    case 'End':
      return { type: 'edge', to: 'end' };
    default:
      return null;
  }
}

/** Vertical ticks at each time (at most one per grain of the width), from `top`, `length` long, in a 1000-wide box. */
function ticks(times: readonly number[], duration: number, top: number, length: number): string {
  const cells = Math.round(1 / MARK_GRAIN);
  let d = '';
  let last = -1;
  for (const t of times) {
    const cell = Math.round((t / duration) * cells);
    if (cell === last) continue;
    last = cell;
    d += `M${((cell / cells) * 1000).toFixed(1)} ${top}v${length}`;
  }
  return d;
}

declare global {
  interface HTMLElementTagNameMap {
    'replay-timeline': ReplayTimeline;
  }
}
