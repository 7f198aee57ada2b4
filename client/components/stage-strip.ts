import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { MlpConfig } from '../../shared/engine/mlp/config.js';
import { mlpLayout, type MlpLayout, type MlpPhase, type MlpStageSpec } from '../../shared/engine/mlp/layout.js';
import type { TrainingStatus } from '../../shared/protocol/snapshot.js';
import { flagKey } from '../../shared/protocol/flag-key.js';
import { stageLabel } from '../../shared/engine/mlp/tensor-names.js';
import type { FlagView } from '../lib/collab.js';
import { FlagToggleEvent } from '../lib/events.js';
import { panelStyles } from '../lib/shared-styles.js';
import { pointAt, spotlightStyles } from '../lib/spotlight.js';

const PHASES: { phase: MlpPhase; label: string }[] = [
  { phase: 'forward', label: 'Forward' },
  { phase: 'backward', label: 'Backward' },
  { phase: 'update', label: 'Update' },
];

interface StageGroup {
  readonly phase: MlpPhase;
  readonly label: string;
  readonly stages: readonly MlpStageSpec[];
}

const groupCache = new WeakMap<MlpLayout, StageGroup[]>();

/** The network's stages in three groups, in pass order (memoised per layout). */
function groupsOf(layout: MlpLayout): StageGroup[] {
  let groups = groupCache.get(layout);
  if (!groups) {
    groups = PHASES.map(({ phase, label }) => ({ phase, label, stages: layout.stages.filter((s) => s.phase === phase) }));
    groupCache.set(layout, groups);
  }
  return groups;
}

/**
 * The stages of a pass of the network in three groups (14 for the notebook's; layer-indexed names
 * for others, with a gap where the layer changes). The current stage is marked three ways (a ▶
 * marker, aria-current, the phase colour) and done stages carry a ✓, so colour is never needed.
 * On a phone it scrolls sideways inside itself and keeps the current stage in view.
 * With flags, a student's chips are toggles ("I'm lost here") and the instructor's carry counts.
 */
@customElement('stage-strip')
export class StageStrip extends LitElement {
  @property() stage = 'idle';
  /** The architecture, whose layout names the stages; nothing is drawn until it is given. */
  @property({ attribute: false }) network: MlpConfig | null = null;
  @property({ type: Number }) sampleIndex = 0;
  @property({ type: Number }) epoch = 0;
  @property({ attribute: false }) training: TrainingStatus | null = null;
  @property({ attribute: false }) flags: FlagView | null = null;
  /** Key of what the instructor points the class at (`stage:B_act` marks that chip). */
  @property({ attribute: false }) spotlight: string | null = null;
  /** The instructor is pointing: a chip click spotlights its stage. */
  @property({ type: Boolean }) pointing = false;

  @query('.scroller') private scroller!: HTMLElement;

  static override styles = [
    panelStyles,
    spotlightStyles,
    css`
      .bar {
        display: flex;
        flex-direction: column;
        gap: 0.2rem;
        min-width: 0;
      }
      .scroller {
        flex: 1;
        min-width: 0;
        position: relative; /* offsetLeft of the stages is measured from here */
        overflow-x: auto;
        overscroll-behavior-x: contain;
        scrollbar-width: thin;
        padding: 0.15rem 0.15rem 0.35rem;
      }
      .groups {
        display: flex;
        gap: 0.5rem;
        width: max-content;
      }
      .group {
        display: flex;
        align-items: stretch;
        gap: 0.1rem;
        border-radius: 0.5rem;
        padding: 0.25rem;
        border: 1px solid var(--border);
      }
      .group-label {
        writing-mode: horizontal-tb;
        font-size: 0.7rem;
        font-weight: 700;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        align-self: center;
        padding: 0 0.3rem;
      }
      .forward .group-label { color: var(--forward); }
      .backward .group-label { color: var(--backward); }
      .update .group-label { color: var(--update); }
      ol {
        display: flex;
        gap: 0.25rem;
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        white-space: nowrap;
        font-size: 0.85rem;
        padding: 0.2rem 0.35rem;
        border-radius: 0.35rem;
        border: 1px solid transparent;
        color: var(--muted);
      }
      li.done {
        color: var(--fg);
      }
      li[aria-current] {
        color: #fff;
        font-weight: 700;
        border-color: var(--fg);
      }
      .forward li[aria-current] { background: var(--forward); }
      .backward li[aria-current] { background: var(--backward); }
      .update li[aria-current] { background: var(--update); }
      li.layer-start {
        margin-left: 0.45rem;
      }
      .marker {
        display: inline-block;
        width: 0.9em;
      }
      li.flagged {
        border: 2px dashed var(--flag);
        background: var(--flag-bg);
      }
      li.flagged[aria-current] {
        border-style: dashed;
        border-color: var(--flag);
      }
      .flag-toggle {
        all: unset;
        cursor: pointer;
        display: inline-flex;
        align-items: center;
        justify-content: center;
        min-height: 1.6rem;
        /* A one-letter stage (B, C, L) is still a 24 px target (WCAG 2.2 2.5.8). */
        min-width: 24px;
      }
      .flag-toggle:focus-visible {
        outline: 3px solid var(--focus);
        outline-offset: 2px;
        border-radius: 0.2rem;
      }
      .flag {
        margin-left: 0.25rem;
        font-size: 0.8rem;
        font-weight: 700;
        color: var(--flag);
      }
      li[aria-current] .flag {
        color: #fff;
      }
      .meta {
        font-size: 0.85rem;
        order: -1;
      }
      /* A projector display (display="projector") sets the sizes for the back of the room. */
      :host([display='projector']) li {
        font-size: var(--strip-chip-size, 0.85rem);
        padding: 0.15rem 0.28rem;
      }
      :host([display='projector']) .groups {
        gap: 0.3rem;
      }
      :host([display='projector']) .group-label {
        font-size: var(--strip-label-size, 0.7rem);
      }
      /* The projector page says the stage, sample and epoch in its own header, beside the title. */
      :host([display='projector']) .meta {
        display: none;
      }
    `,
  ];

  override render() {
    if (!this.network) return nothing;
    const layout = mlpLayout(this.network);
    const at = layout.stages.findIndex((s) => s.stage === this.stage);
    const t = this.training;
    return html`
      <nav class="bar" aria-label="Stages of the pass">
        <div class="scroller" tabindex="0" role="region" aria-label="Stage strip, scrolls sideways">
          <div class="groups">
            ${groupsOf(layout).map(
              (g) => html`
                <div class="group ${g.phase}">
                  <span class="group-label" id="g-${g.phase}">${g.label}</span>
                  <ol aria-labelledby="g-${g.phase}">
                    ${g.stages.map((spec, k) => this.chip(layout, spec, at, !layout.notebook && k > 0 && g.stages[k - 1].layer !== spec.layer))}
                  </ol>
                </div>
              `,
            )}
          </div>
        </div>
        <div class="meta" data-testid="stage-meta">
          ${t
            ? t.queued
              ? html`<strong>training waits its turn</strong> (${t.queued} ahead on this server)`
              : html`<strong>training</strong> ${t.epochsDone}/${t.epochsTotal} epochs`
            : html`stage <strong data-testid="current-stage">${stageLabel(this.stage)}</strong>`}
          · sample <strong data-testid="current-sample">${this.sampleIndex}</strong> · epoch <strong data-testid="current-epoch">${this.epoch}</strong>
        </div>
      </nav>
    `;
  }

  /** One stage: done, current or to come; a flag toggle for a student, a count for the instructor. */
  private chip(layout: MlpLayout, spec: MlpStageSpec, at: number, layerStart: boolean) {
    const s = spec.stage;
    const pos = layout.stages.indexOf(spec);
    const current = pos === at;
    const done = pos < at;
    const key = flagKey({ type: 'stage', stage: s });
    const mine = this.flags?.mine?.has(key) ?? false;
    const count = this.flags?.counts?.[key] ?? 0;
    const label = html`<span class="marker" aria-hidden="true">${current ? '▶' : done ? '✓' : ''}</span>${stageLabel(s)}${done
        ? html`<span class="visually-hidden"> (done)</span>`
        : ''}`;
    const spotlit = this.spotlight === key;
    return html`<li class="${done ? 'done' : ''} ${mine || count ? 'flagged' : ''} ${layerStart ? 'layer-start' : ''}" aria-current=${current ? 'step' : nothing} data-stage=${s}
      data-spotlit=${spotlit ? 'true' : nothing}>
      ${this.pointing
        ? html`<button class="flag-toggle pointable" aria-pressed=${spotlit ? 'true' : 'false'} data-testid="point-stage-${s}"
            title=${spotlit ? 'The class sees this stage spotlit; click to clear' : 'Spotlight this stage for the class'}
            @click=${() => pointAt(this, { type: 'stage', stage: s }, this.spotlight)}
            >${label}<span class="visually-hidden">, spotlight for the class</span></button>`
        : this.flags?.mine
        ? html`<button class="flag-toggle" aria-pressed=${mine ? 'true' : 'false'} data-testid="flag-stage-${s}"
            title=${mine ? 'You flagged this stage; click to unflag' : "I'm lost here: flag this stage for the instructor"}
            @click=${() => this.dispatchEvent(new FlagToggleEvent({ type: 'stage', stage: s }, !mine))}
            >${label}<span class="visually-hidden">, flag: I'm lost here</span>${mine ? html`<span class="flag" aria-hidden="true">⚑</span>` : nothing}</button>`
        : label}${count
        ? html`<span class="flag" data-testid="flag-count-stage-${s}">⚑${count}<span class="visually-hidden"> student${count > 1 ? 's' : ''} lost here</span></span>`
        : nothing}
    </li>`;
  }

  override updated(changed: Map<string, unknown>): void {
    if (!changed.has('stage') && !changed.has('network') && !changed.has('spotlight')) return;
    // Scroll the strip itself, never the page, so the current (or spotlit) stage stays visible on a phone.
    const current = this.renderRoot.querySelector<HTMLElement>(changed.has('spotlight') && this.spotlight ? 'li[data-spotlit]' : 'li[aria-current]');
    const box = this.scroller;
    if (!current || !box) return;
    const left = current.offsetLeft;
    if (left < box.scrollLeft || left + current.offsetWidth > box.scrollLeft + box.clientWidth) {
      box.scrollLeft = Math.max(0, left - box.clientWidth / 3);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'stage-strip': StageStrip;
  }
}
