import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { isLoopbackHost } from '../../shared/protocol/http.js';
import { displayCode } from '../lib/format.js';
import { qrCode } from '../lib/qr.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';
import { lectureLinks, publicBase } from '../lib/site.js';

type Copied = 'student' | 'instructor';

/** Whether a link names this machine only (the server listens on loopback and PUBLIC_URL is unset). */
const onlyThisComputer = (url: string): boolean => isLoopbackHost(new URL(url).hostname);

/**
 * The console's class link: the join code, the student link and its QR code, and (for the
 * instructor only) the instructor link with the one sentence that says why to keep it. Every link
 * is on the server's public base (GET /api/site), never this page's own address.
 */
@customElement('share-panel')
export class SharePanel extends LitElement {
  @property() lectureId = '';
  /** The console's token: shown as the instructor link (null: not shown). */
  @property({ attribute: false }) instructorToken: string | null = null;
  /** Open the instructor link at first (right after the lecture was created). */
  @property({ type: Boolean }) instructorOpen = false;

  @state() private base: string | null = null;
  @state() private baseError: string | null = null;
  @state() private copied: Copied | null = null;
  @state() private copyFailed: Copied | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    css`
      .panel {
        display: flex;
        gap: 0.5rem 1rem;
        align-items: center;
        flex-wrap: wrap;
        padding: 0.5rem 0.75rem;
      }
      .qr {
        width: 7rem;
        height: 7rem;
        flex: none;
      }
      .qr svg {
        width: 100%;
        height: 100%;
        display: block;
      }
      .code {
        font-family: var(--mono);
        font-size: 2.4rem;
        font-weight: 800;
        letter-spacing: 0.08em;
        line-height: 1;
      }
      .url {
        font-family: var(--mono);
        font-size: 0.85rem;
        word-break: break-all;
      }
      .text {
        min-width: 0;
        flex: 1 1 16rem;
      }
      .keep {
        min-width: 0;
        flex: 1 1 18rem;
        border-left: 1px solid var(--border);
        padding-left: 1rem;
      }
      @media (max-width: 700px) {
        .keep {
          border-left: 0;
          padding-left: 0;
        }
      }
      summary {
        cursor: pointer;
        font-weight: 650;
        min-height: 2.25rem;
        line-height: 2.25rem;
      }
      p {
        margin: 0.25rem 0;
      }
      h2 {
        margin: 0;
      }
      .error {
        color: var(--danger);
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    publicBase().then(
      (base) => (this.base = base),
      (e: unknown) => (this.baseError = e instanceof Error ? e.message : String(e)),
    );
  }

  override render() {
    const student = this.base === null ? null : lectureLinks.student(this.base, this.lectureId);
    return html`
      <section class="panel" aria-labelledby="share-title" data-testid="share-panel">
        ${student ? this.renderQr(student) : nothing}
        <div class="text">
          <h2 id="share-title">Class link</h2>
          <p class="code" data-testid="join-code" aria-label="Join code ${this.lectureId.split('').join(' ')}">${displayCode(this.lectureId)}</p>
          ${student
            ? html`<p class="url"><a href=${student} target="_blank" rel="noopener" data-testid="student-url">${student}</a></p>
                ${onlyThisComputer(student)
                  ? html`<p class="error" data-testid="local-link-warning">Only this computer can open this link. Start the server with HOST=0.0.0.0 (the default), or set PUBLIC_URL to the address students reach it at.</p>`
                  : nothing}
                <p>${this.copyButton('student', 'Copy student link', student)}</p>`
            : html`<p class=${this.baseError ? 'error' : 'muted'} role="status">${this.baseError ? `No link to hand out: ${this.baseError}. Reload to try again.` : 'Loading the link…'}</p>`}
        </div>
        ${this.instructorToken && this.base !== null ? this.renderInstructorLink(lectureLinks.instructor(this.base, this.lectureId, this.instructorToken)) : nothing}
      </section>
    `;
  }

  private renderQr(url: string) {
    return html`<div class="qr" role="img" aria-label="QR code of ${url}" data-testid="share-qr">${qrCode(url)}</div>`;
  }

  private renderInstructorLink(url: string) {
    return html`<details class="keep" ?open=${this.instructorOpen} data-testid="instructor-link">
      <summary>Instructor link</summary>
      <p><strong>Keep this link: it is the only way to control this lecture from another browser.</strong></p>
      <p class="url" data-testid="instructor-url">${url}</p>
      <p>${this.copyButton('instructor', 'Copy instructor link', url)}</p>
    </details>`;
  }

  private copyButton(which: Copied, label: string, text: string) {
    const failed = this.copyFailed === which;
    return html`<button @click=${() => void this.copy(which, text)} data-testid="copy-${which}">${this.copied === which ? 'Copied ✓' : label}</button>
      ${failed ? html`<span class="error" role="status">This browser refused to copy; select the link and copy it by hand.</span>` : nothing}`;
  }

  private async copy(which: Copied, text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.copied = which;
      this.copyFailed = null;
      setTimeout(() => (this.copied = null), 2000);
    } catch {
      // Clipboard can be refused (an insecure origin, a denied permission): the link is on screen.
      this.copyFailed = which;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'share-panel': SharePanel;
  }
}
