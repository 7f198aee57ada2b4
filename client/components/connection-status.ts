import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ConnectionStatus } from '../lib/live-controller.js';

const LABELS: Record<ConnectionStatus | 'replay', { mark: string; text: string }> = {
  connecting: { mark: '◌', text: 'connecting…' },
  live: { mark: '●', text: 'live' },
  reconnecting: { mark: '◐', text: 'reconnecting…' },
  offline: { mark: '○', text: 'offline' },
  refused: { mark: '✕', text: 'not connected' },
  replay: { mark: '▷', text: 'replay' },
};

/** Live / reconnecting / offline, each with its own shape as well as colour, who is watching, and whether a projector display is. */
@customElement('connection-status')
export class ConnectionStatusElement extends LitElement {
  @property() status: ConnectionStatus | 'replay' = 'connecting';
  /** Students watching, or null when unknown. */
  @property({ type: Number }) watching: number | null = null;
  /** Projector displays open (the console shows it, so the instructor knows the wall is live); null: not shown. */
  @property({ type: Number }) projectors: number | null = null;

  static override styles = css`
    :host {
      display: inline-flex;
      align-items: center;
      gap: 0.5rem;
      font-size: 0.9rem;
      white-space: nowrap;
    }
    .mark {
      font-size: 1.1em;
    }
    .live .mark { color: var(--ok); }
    .reconnecting .mark, .connecting .mark { color: var(--update); }
    .offline .mark, .refused .mark { color: var(--danger); }
    .offline, .reconnecting {
      font-weight: 700;
    }
  `;

  override render() {
    const l = LABELS[this.status];
    return html`<span role="status" class=${this.status} data-testid="connection-status" data-status=${this.status}
        ><span class="mark" aria-hidden="true">${l.mark}</span> ${l.text}</span
      >${this.watching !== null ? html`<span data-testid="watching">· ${this.watching} watching</span>` : ''}${this.projectors
        ? html`<span data-testid="projectors">· projector display on${this.projectors > 1 ? ` (${this.projectors})` : ''}</span>`
        : ''}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'connection-status': ConnectionStatusElement;
  }
}
