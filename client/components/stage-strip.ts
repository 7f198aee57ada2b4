import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { STAGES, stagePhase, stagePosition, type PassStage, type Stage, type TrainingStatus } from '../../shared/index.js';
import { stageKey, type FlagView } from '../lib/collab.js';
import { FlagToggleEvent } from '../lib/events.js';
import { STAGE_LABELS } from '../lib/format.js';
import { panelStyles } from '../lib/shared-styles.js';

const GROUPS: { phase: 'forward' | 'backward' | 'update'; label: string; stages: PassStage[] }[] = [
  { phase: 'forward', label: 'Forward', stages: STAGES.filter((s) => stagePhase(s) === 'forward') },
  { phase: 'backward', label: 'Backward', stages: STAGES.filter((s) => stagePhase(s) === 'backward') },
  { phase: 'update', label: 'Update', stages: STAGES.filter((s) => stagePhase(s) === 'update') },
];

/**
 * The 14 stages of a pass in three groups. The current stage is marked three ways (a ▶ marker,
 * aria-current, the phase colour) and done stages carry a ✓, so colour is never needed.
 * On a phone it scrolls sideways inside itself and keeps the current stage in view.
 * With flags, a student's chips are toggles ("I'm lost here") and the instructor's carry counts.
 */
@customElement('stage-strip')
export class StageStrip extends LitElement {
  @property() stage: Stage = 'idle';
  @property({ type: Number }) sampleIndex = 0;
  @property({ type: Number }) epoch = 0;
  @property({ attribute: false }) training: TrainingStatus | null = null;
  @property({ attribute: false }) flags: FlagView | null = null;

  @query('.scroller') private scroller!: HTMLElement;

  static override styles = [
    panelStyles,
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
        min-height: 1.6rem;
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
    `,
  ];

  override render() {
    const at = stagePosition(this.stage);
    const t = this.training;
    return html`
      <nav class="bar" aria-label="Stages of the pass">
        <div class="scroller" tabindex="0" role="region" aria-label="Stage strip, scrolls sideways">
          <div class="groups">
            ${GROUPS.map(
              (g) => html`
                <div class="group ${g.phase}">
                  <span class="group-label" id="g-${g.phase}">${g.label}</span>
                  <ol aria-labelledby="g-${g.phase}">
                    ${g.stages.map((s) => {
                      const pos = STAGES.indexOf(s);
                      const current = pos === at;
                      const done = pos < at;
                      const mine = this.flags?.mine?.has(stageKey(s)) ?? false;
                      const count = this.flags?.counts?.[stageKey(s)] ?? 0;
                      const label = html`<span class="marker" aria-hidden="true">${current ? '▶' : done ? '✓' : ''}</span>${STAGE_LABELS[s]}${done
                          ? html`<span class="visually-hidden"> (done)</span>`
                          : ''}`;
                      return html`<li class="${done ? 'done' : ''} ${mine || count ? 'flagged' : ''}" aria-current=${current ? 'step' : nothing} data-stage=${s}>
                        ${this.flags?.mine
                          ? html`<button class="flag-toggle" aria-pressed=${mine ? 'true' : 'false'} data-testid="flag-stage-${s}"
                              title=${mine ? 'You flagged this stage; click to unflag' : "I'm lost here: flag this stage for the instructor"}
                              @click=${() => this.dispatchEvent(new FlagToggleEvent({ type: 'stage', stage: s }, !mine))}
                              >${label}<span class="visually-hidden">, flag: I'm lost here</span>${mine ? html`<span class="flag" aria-hidden="true">⚑</span>` : nothing}</button>`
                          : label}${count
                          ? html`<span class="flag" data-testid="flag-count-stage-${s}">⚑${count}<span class="visually-hidden"> student${count > 1 ? 's' : ''} lost here</span></span>`
                          : nothing}
                      </li>`;
                    })}
                  </ol>
                </div>
              `,
            )}
          </div>
        </div>
        <div class="meta" data-testid="stage-meta">
          ${t
            ? html`<strong>training</strong> ${t.epochsDone}/${t.epochsTotal} epochs`
            : html`stage <strong data-testid="current-stage">${STAGE_LABELS[this.stage]}</strong>`}
          · sample <strong data-testid="current-sample">${this.sampleIndex}</strong> · epoch <strong data-testid="current-epoch">${this.epoch}</strong>
        </div>
      </nav>
    `;
  }

  override updated(changed: Map<string, unknown>): void {
    if (!changed.has('stage')) return;
    // Scroll the strip itself, never the page, so the current stage stays visible on a phone.
    const current = this.renderRoot.querySelector<HTMLElement>('li[aria-current]');
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
