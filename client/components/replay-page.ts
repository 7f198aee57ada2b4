import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { displayCode } from '../lib/format.js';
import { panelStyles, buttonStyles } from '../lib/shared-styles.js';
import './connection-status.js';
import './replay-player.js';

/** A recorded lecture, replayed with the same views the live lecture used: the site's header over the player. */
@customElement('replay-page')
export class ReplayPage extends LitElement {
  @property() lectureId = '';
  /** The recording's title, once the player has loaded it. */
  @state() private lectureTitle: string | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    css`
      :host {
        display: block;
        padding: 0.5rem 0.75rem 0.75rem;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        align-items: center;
        margin-bottom: 0.5rem;
      }
      h1 {
        font-size: 1.1rem;
        margin: 0;
        overflow-wrap: anywhere;
      }
      .brand {
        color: var(--muted);
        font-weight: 500;
      }
      header .button {
        min-height: 2rem;
        padding-block: 0.2rem;
      }
      @media (max-width: 480px) {
        :host {
          padding: 0.4rem 0.4rem 0.75rem;
        }
        h1 {
          font-size: 1rem;
        }
      }
    `,
  ];

  override render() {
    if (this.lectureTitle !== null) document.title = `Replay: ${this.lectureTitle} · Backprop Live`;
    return html`
      <header>
        <h1><span class="brand">Backprop Live · replay ·</span> ${this.lectureTitle || 'Lecture'}</h1>
        <span>code <strong>${displayCode(this.lectureId)}</strong></span>
        <connection-status status="replay"></connection-status>
        <a class="button" href="/lecture/${this.lectureId}">Watch live</a>
      </header>
      <replay-player .lectureId=${this.lectureId} @bp-replay-loaded=${(e: CustomEvent<{ title: string }>) => (this.lectureTitle = e.detail.title)}></replay-player>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'replay-page': ReplayPage;
  }
}
