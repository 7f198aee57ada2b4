import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { unsafeSVG } from 'lit/directives/unsafe-svg.js';
import qrcode from 'qrcode-generator';
import { displayCode } from '../lib/format.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';

/** How students join: the code in letters big enough for the back row, the URL and a QR code. */
@customElement('share-panel')
export class SharePanel extends LitElement {
  @property() lectureId = '';
  /** Projector: one short block beside the title, so the lecture keeps the screen. */
  @property({ type: Boolean, reflect: true }) compact = false;

  @state() private copied = false;

  static override styles = [
    panelStyles,
    buttonStyles,
    css`
      .panel {
        display: flex;
        gap: 1rem;
        align-items: center;
        flex-wrap: wrap;
      }
      .code {
        font-family: var(--mono);
        font-size: 3rem;
        font-weight: 800;
        letter-spacing: 0.08em;
        line-height: 1;
      }
      .qr {
        width: 9rem;
        height: 9rem;
        flex: none;
      }
      .qr svg {
        width: 100%;
        height: 100%;
        display: block;
      }
      .url {
        font-family: var(--mono);
        font-size: 0.9rem;
        word-break: break-all;
      }
      .text {
        min-width: 0;
        flex: 1 1 14rem;
      }
      p {
        margin: 0.3rem 0;
      }
      :host([compact]) .panel {
        padding: 0.4rem 0.6rem;
        gap: 0.75rem;
        flex-wrap: nowrap;
      }
      :host([compact]) .qr {
        width: 6.5rem;
        height: 6.5rem;
      }
      :host([compact]) .code {
        font-size: 2.6rem;
      }
      :host([compact]) h2 {
        font-size: 0.8rem;
        margin: 0;
      }
      :host([compact]) .url {
        font-size: 0.75rem;
      }
      :host([compact]) .copy {
        display: none;
      }
    `,
  ];

  private get url(): string {
    return `${location.origin}/lecture/${this.lectureId}`;
  }

  override render() {
    const qr = qrcode(0, 'M');
    qr.addData(this.url);
    qr.make();
    return html`
      <section class="panel" aria-labelledby="share-title" data-testid="share-panel">
        <div class="qr" role="img" aria-label="QR code of ${this.url}">${unsafeSVG(qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true }))}</div>
        <div class="text">
          <h2 id="share-title">Join this lecture</h2>
          <p class="code" data-testid="join-code" aria-label="Join code ${this.lectureId.split('').join(' ')}">${displayCode(this.lectureId)}</p>
          <p class="url"><a href=${this.url} target="_blank" rel="noopener">${this.url}</a></p>
          <p class="copy">
            <button @click=${this.copy}>${this.copied ? 'Copied ✓' : 'Copy student link'}</button>
          </p>
        </div>
      </section>
    `;
  }

  private async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.url);
      this.copied = true;
      setTimeout(() => (this.copied = false), 2000);
    } catch {
      // Clipboard can be refused (insecure origin): the link is on screen to copy by hand.
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-panel': SharePanel;
  }
}
