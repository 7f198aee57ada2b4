import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { micIcon } from '../lib/mic-icon.js';
import { visuallyHiddenStyles } from '../lib/shared-styles.js';

/**
 * "🎙 recording" (the microphone drawn: client/lib/mic-icon.ts) while the instructor records
 * narration (the snapshot's `narrating`), so the class knows its room is heard in the replay.
 * Always in the page as a live region, so a screen reader announces it when it comes on; empty
 * (and taking no room) while off. Sizes in em: a bigger
 * header (the projector's) makes it bigger.
 */
@customElement('narration-badge')
export class NarrationBadge extends LitElement {
  /** Reflected, so the page's layout can make room for it (the phone header's first line). */
  @property({ type: Boolean, reflect: true }) on = false;

  static override styles = [
    visuallyHiddenStyles,
    css`
    :host {
      display: inline-flex;
    }
    /* Off: out of the line's flow (no gap for it in a flex row), still in the page as the live region. */
    :host(:not([on])) {
      position: absolute;
    }
    .badge {
      display: inline-flex;
      align-items: center;
      gap: 0.3em;
      padding: 0.05em 0.55em;
      border-radius: 1em;
      border: 1px solid var(--danger);
      background: var(--danger-bg);
      color: var(--danger);
      font-weight: 650;
      white-space: nowrap;
    }
    .status:empty {
      display: none;
    }
  `,
  ];

  override render() {
    return html`<span class="status" role="status">${this.on
      ? html`<span class="badge" data-testid="narration-badge" title="The instructor's voice is being recorded for the replay"
          >${micIcon} recording<span class="visually-hidden">: the instructor's voice is being recorded for the replay</span></span
        >`
      : nothing}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'narration-badge': NarrationBadge;
  }
}
