import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { displayCode } from '../lib/format.js';
import { qrCode } from '../lib/qr.js';
import { lectureLinks } from '../lib/site.js';
import { panelStyles } from '../lib/shared-styles.js';

/**
 * The projector display's corner: how to join, readable from the back row (the code) and from the
 * front rows (the QR code). The link is the student link on the server's public base, which the
 * page reads from the server, so a projector opened at localhost still shows a link phones can open.
 */
@customElement('projector-join')
export class ProjectorJoin extends LitElement {
  @property() lectureId = '';
  /** The server's public base (`https://class.example`), without a trailing slash. */
  @property() base = '';

  static override styles = [
    panelStyles,
    css`
      :host {
        display: block;
      }
      .join {
        display: flex;
        align-items: center;
        gap: var(--join-gap, 0.75rem);
        padding: var(--join-padding, 0.4rem 0.6rem);
        border: 1px solid var(--border);
        border-radius: 0.5rem;
        background: var(--bg);
      }
      .qr {
        width: var(--join-qr-size, 6.5rem);
        height: var(--join-qr-size, 6.5rem);
        flex: none;
      }
      .qr svg {
        display: block;
        width: 100%;
        height: 100%;
      }
      h2 {
        font-size: var(--join-label-size, 0.9rem);
        margin: 0;
      }
      .code {
        margin: 0;
        font-family: var(--mono);
        font-size: var(--join-code-size, 2.4rem);
        font-weight: 800;
        letter-spacing: 0.06em;
        line-height: 1.05;
        white-space: nowrap;
      }
      .url {
        margin: 0;
        font-family: var(--mono);
        font-size: var(--join-url-size, 0.8rem);
        overflow-wrap: anywhere;
      }
    `,
  ];

  private get url(): string {
    return lectureLinks.student(this.base, this.lectureId);
  }

  override render() {
    if (!this.base) return html``;
    return html`<section class="join" aria-labelledby="join-title" data-testid="projector-join">
      <div class="qr" role="img" aria-label="QR code of ${this.url}" data-testid="join-qr">
        ${qrCode(this.url)}
      </div>
      <div>
        <h2 id="join-title">Join with code</h2>
        <p class="code" data-testid="join-code" aria-label="Join code ${this.lectureId.split('').join(' ')}">${displayCode(this.lectureId)}</p>
        <p class="url" data-testid="join-url">${this.url.replace(/^https?:\/\//, '')}</p>
      </div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'projector-join': ProjectorJoin;
  }
}
