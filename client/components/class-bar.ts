import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import type { Presence } from '../../shared/protocol/socket.js';
import { describeFlagKey } from '../lib/collab.js';
import { errataAvailable } from '../lib/errata.js';
import { CommandRequestEvent } from '../lib/events.js';
import { barStyles, buttonStyles, panelStyles } from '../lib/shared-styles.js';
import './prediction-ask.js';

/**
 * The instructor's view of the class: who is here (names as text, in a collapsible list),
 * pacing, the "I'm lost here" flags of this pass with a Clear button, and "Ask the class".
 */
@customElement('class-bar')
export class ClassBar extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  @property({ attribute: false }) presence: Presence | null = null;
  @property({ attribute: false }) flagCounts: Readonly<Record<string, number>> | null = null;
  @property({ type: Boolean }) connected = false;

  static override styles = [
    panelStyles,
    buttonStyles,
    barStyles,
    css`
      details {
        position: relative;
      }
      summary {
        cursor: pointer;
        min-height: 2.25rem;
        display: flex;
        align-items: center;
      }
      .names {
        position: absolute;
        top: 100%;
        left: 0;
        z-index: 3;
        background: var(--bg);
        border: 1px solid var(--border);
        border-radius: 0.4rem;
        padding: 0.5rem 0.75rem;
        margin: 0.25rem 0 0;
        max-height: 50vh;
        overflow: auto;
        min-width: 12rem;
        list-style: none;
        box-shadow: 0 4px 12px rgb(0 0 0 / 0.12);
      }
      .names li {
        overflow-wrap: anywhere;
      }
      button[aria-pressed='true'] {
        background: var(--fg);
        color: #fff;
        border-color: var(--fg);
      }
      .flags {
        color: var(--flag);
        font-weight: 700;
      }
      .top {
        font-size: 0.85rem;
      }
    `,
  ];

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    const names = this.presence?.names ?? [];
    const students = this.presence?.students ?? 0;
    const flags = Object.entries(this.flagCounts ?? {}).filter(([, n]) => n > 0);
    const total = flags.reduce((sum, [, n]) => sum + n, 0);
    const top = [...flags].sort((a, b) => b[1] - a[1]).slice(0, 3);
    const off = !this.connected || s.training !== null;
    const pacing = (mode: 'follow' | 'free', label: string) =>
      html`<button aria-pressed=${s.pacing === mode ? 'true' : 'false'} ?disabled=${off} data-testid="pacing-${mode}"
        @click=${() => s.pacing !== mode && this.dispatchEvent(new CommandRequestEvent({ type: 'setPacing', mode }))}>${label}</button>`;
    return html`<section class="panel" aria-label="The class">
      <div class="bar">
        <div class="group">
          <details data-testid="class-names">
            <summary>${students} student${students === 1 ? '' : 's'}${names.length ? ` · ${names.length} named` : ''}</summary>
            <ul class="names" aria-label="Students' names">
              ${names.length ? names.map((n) => html`<li>${n}</li>`) : html`<li class="muted">No one gave a name yet.</li>`}
            </ul>
          </details>
        </div>
        <div class="group" role="group" aria-label="Pacing">
          <span>Pacing</span>
          ${pacing('follow', 'Follow me')}
          ${pacing('free', 'Free')}
        </div>
        ${errataAvailable(s) ? this.errataToggle(s, off) : nothing}
        <div class="group" role="group" aria-label="I'm lost here flags">
          <span class=${total ? 'flags' : 'muted'} data-testid="flag-total" aria-live="polite">⚑ ${total} flag${total === 1 ? '' : 's'}</span>
          ${top.length ? html`<span class="top">${top.map(([k, n], i) => html`${i ? ', ' : ''}${describeFlagKey(k, s.network)} ×${n}`)}</span>` : nothing}
          <button ?disabled=${off || total === 0} data-testid="clear-flags" @click=${() => this.dispatchEvent(new CommandRequestEvent({ type: 'clearFlags' }))}>Clear flags</button>
        </div>
        ${s.prediction?.status === 'open'
          ? nothing /* the question's card has the reveal; one question at a time */
          : html`<div class="group"><prediction-ask .snapshot=${s} .connected=${this.connected}></prediction-ask></div>`}
      </div>
    </section>`;
  }

  /** Shows (for everyone) the teaching notebook's mistakes beside the correct equations: a recorded setting, like pacing. */
  private errataToggle(s: Snapshot, off: boolean) {
    return html`<div class="group">
      <button aria-pressed=${s.errata ? 'true' : 'false'} ?disabled=${off} data-testid="errata-toggle"
        title="Show everyone where the teaching notebook went wrong, beside the correct equations"
        @click=${() => this.dispatchEvent(new CommandRequestEvent({ type: 'setErrata', on: !s.errata }))}>
        <!-- A lone toggle: the check says "on" besides the fill (aria-pressed says it to screen readers). -->
        <span aria-hidden="true">${s.errata ? '✓' : '○'}</span>Notebook's mistakes</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'class-bar': ClassBar;
  }
}
