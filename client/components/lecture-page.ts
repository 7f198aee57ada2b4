import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { CONNECT_ERRORS, type Command } from '../../shared/index.js';
import type { CommandRequestEvent, FlagToggleEvent, PredictionSubmitEvent, StudentActionEvent } from '../lib/events.js';
import { displayCode } from '../lib/format.js';
import { LiveController } from '../lib/live-controller.js';
import { StudentController } from '../lib/student-controller.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';
import { forgetInstructorToken, takeInstructorToken } from '../lib/token.js';
import type { InstructorControls } from './instructor-controls.js';
import type { KeyHelp } from './key-help.js';
import './connection-status.js';
import './lecture-view.js';
import './instructor-controls.js';
import './share-panel.js';
import './key-help.js';
import './class-bar.js';
import './student-bar.js';
import './rewind-banner.js';
import './sandbox-bar.js';

/** Keys of the instructor console; letters are matched case-insensitively. */
const KEY_COMMANDS: Record<string, Command> = {
  ArrowRight: { type: 'step' },
  ArrowLeft: { type: 'back' },
  f: { type: 'forward' },
  b: { type: 'backward' },
  u: { type: 'update' },
};

/** A live lecture, as a student watches it or as the instructor runs it. */
@customElement('lecture-page')
export class LecturePage extends LitElement {
  @property() lectureId = '';
  // Not `role`: that is HTMLElement's ARIA role.
  @property() access: 'student' | 'instructor' = 'student';

  @state() private commandError: string | null = null;
  @state() private projector = false;
  @state() private missingToken = false;

  @query('instructor-controls') private controls?: InstructorControls;
  @query('key-help') private keyHelp?: KeyHelp;

  private live: LiveController | null = null;
  private student: StudentController | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    css`
      :host {
        display: block;
        padding: 0.75rem;
        max-width: 100%;
      }
      @media (max-width: 480px) {
        :host {
          padding: 0.5rem;
        }
      }
      header {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        margin-bottom: 0.75rem;
      }
      .head-main {
        flex: 1;
        min-width: 0;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.25rem 1rem;
      }
      h1 {
        font-size: 1.15rem;
        margin: 0;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .brand {
        color: var(--muted);
        font-weight: 500;
      }
      .code {
        font-family: var(--mono);
        font-weight: 700;
      }
      .spacer {
        flex: 1;
      }
      .top {
        display: grid;
        gap: 0.75rem;
        margin-bottom: 0.75rem;
      }
      .alert {
        border: 2px solid var(--danger);
        background: var(--danger-bg);
        color: var(--danger);
        border-radius: 0.5rem;
        padding: 0.5rem 0.75rem;
        display: flex;
        gap: 0.5rem;
        align-items: center;
        justify-content: space-between;
      }
      .alert:empty {
        display: none;
      }
      .student {
        display: grid;
        gap: 0.5rem;
        margin-bottom: 0.75rem;
      }
      .student .banner {
        margin: 0;
      }
      class-bar {
        margin-bottom: 0.75rem;
      }
      /* Not the live lecture: a frame in the mode's colour, so a glance tells (the bar above says it in words). */
      lecture-view.sandbox,
      lecture-view.rewind {
        outline: 3px solid var(--forward);
        outline-offset: 0.35rem;
        border-radius: 0.5rem;
        margin: 0.35rem;
      }
      lecture-view.rewind {
        outline-color: var(--backward);
      }
      .refused {
        max-width: 40rem;
        margin: 3rem auto;
        border: 2px solid var(--danger);
        border-radius: 0.5rem;
        padding: 1rem 1.5rem;
      }
      .refused h2 {
        font-size: 1.4rem;
        color: var(--danger);
      }
      .banner {
        border: 1px solid var(--update);
        background: var(--update-bg);
        border-radius: 0.5rem;
        padding: 0.4rem 0.75rem;
        margin-bottom: 0.75rem;
      }
      .loading {
        color: var(--muted);
        padding: 2rem 0;
      }
      /* Projector: controls in one bar at the bottom, always within reach. */
      :host([projector]) .controls {
        position: sticky;
        bottom: 0;
        z-index: 2;
        box-shadow: 0 -4px 12px rgb(0 0 0 / 0.12);
      }
      :host([projector]) .top {
        grid-template-columns: auto;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.live) document.addEventListener('keydown', this.onKey);
  }

  /**
   * Joins on the first update, not in connectedCallback: when this element is upgraded after
   * insertion (it is loaded lazily), Lit restores the properties set before the upgrade only
   * then, so lectureId and access are not known any earlier.
   */
  protected override willUpdate(): void {
    this.student?.sync();
    if (this.live || this.missingToken) return;
    const token = this.access === 'instructor' ? takeInstructorToken(this.lectureId) : null;
    // Never connect an instructor link without its token: that would silently make a student.
    if (this.access === 'instructor' && !token) {
      this.missingToken = true;
      return;
    }
    this.live = new LiveController(this, { lectureId: this.lectureId, token });
    if (this.access === 'student') this.student = new StudentController(this, this.live, this.lectureId);
    document.addEventListener('keydown', this.onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keydown', this.onKey);
    document.documentElement.classList.remove('projector');
  }

  override render() {
    if (this.missingToken) {
      return this.refusedView('This instructor link is not valid', html`The link has no instructor token. Open the full link you got when you created the lecture.`);
    }
    const live = this.live!;
    if (live.refusal) return this.renderRefusal(live.refusal.code, live.refusal.message);
    const student = this.student;
    const view = student ? student.view : live.view;
    const instructor = this.access === 'instructor';
    const title = view?.title || 'Lecture';
    document.title = `${title} · Backprop Live`;
    return html`
      <header>
        <div class="head-main">
        <h1><span class="brand">Backprop Live ·</span> ${title}</h1>
        <span>code <span class="code" data-testid="lecture-code">${displayCode(this.lectureId)}</span></span>
        ${instructor ? html`<span>instructor</span>` : nothing}
        <connection-status .status=${live.status} .watching=${live.presence ? live.presence.students : null}></connection-status>
        <span class="spacer"></span>
        ${instructor
          ? html`<button @click=${() => this.toggleProjector()} aria-pressed=${this.projector ? 'true' : 'false'}>Projector <kbd>P</kbd></button>
              <button @click=${() => this.keyHelp?.show()} aria-label="Keyboard shortcuts">Keys ?</button>`
          : nothing}
        <a class="button" href="/replay/${this.lectureId}">Replay</a>
        </div>
        ${instructor && this.projector ? html`<share-panel compact .lectureId=${this.lectureId}></share-panel>` : nothing}
      </header>
      ${live.status === 'reconnecting' || live.status === 'offline'
        ? html`<p class="banner" role="status">
            ${live.status === 'offline' ? 'You are offline.' : 'Connection lost; reconnecting…'} What you see may be out of date; it catches up when the connection is back.
          </p>`
        : nothing}
      ${instructor && !this.projector
        ? html`<div class="top">
            <share-panel .lectureId=${this.lectureId}></share-panel>
          </div>`
        : nothing}
      ${student ? this.renderStudentBars(student) : nothing}
      ${instructor && view
        ? html`<class-bar .snapshot=${view} .presence=${live.presence} .flagCounts=${live.flagCounts} .connected=${live.status === 'live'} @bp-command=${this.onCommand}></class-bar>`
        : nothing}
      ${view
        ? html`<lecture-view
            class=${student?.mode ?? 'live'}
            .snapshot=${view}
            .live=${student && student.mode !== 'live' ? [] : live.livePoints}
            .editable=${instructor || student?.mode === 'sandbox'}
            .flags=${student ? student.flags : { counts: live.flagCounts, mine: null }}
            .prediction=${student
              ? student.prediction
              : { mode: 'instructor', mine: null, aggregate: live.predictionUpdate, error: null, busy: false }}
            @bp-command=${this.onCommand}
            @bp-flag=${this.onFlag}
            @bp-predict=${this.onPredict}
          ></lecture-view>`
        : html`<p class="loading" role="status">Joining the lecture…</p>`}
      ${instructor
        ? html`<div class="controls">
            <div class="alert" role="alert" data-testid="command-error">${this.commandError
              ? html`<span>${this.commandError}</span><button @click=${() => (this.commandError = null)} aria-label="Dismiss">✕</button>`
              : nothing}</div>
            <instructor-controls .snapshot=${view} .connected=${live.status === 'live'} @bp-command=${this.onCommand}></instructor-controls>
          </div>
          <key-help></key-help>`
        : nothing}
    `;
  }

  /** The student's own bar, or while looking back or in the sandbox, the bar of that mode. */
  private renderStudentBars(student: StudentController) {
    const live = this.live!.snapshot;
    const top =
      student.mode === 'rewind' && student.rewind.seq !== null
        ? html`<rewind-banner
            .seq=${student.rewind.seq}
            .liveSeq=${live?.seq ?? 0}
            .label=${student.rewindLabel}
            .loading=${student.rewind.loading}
            .error=${student.rewind.error ?? ''}
            .questionOpen=${live?.prediction?.status === 'open'}
          ></rewind-banner>`
        : student.mode === 'sandbox'
          ? html`<sandbox-bar .mine=${student.view} .live=${this.live!.view} .error=${student.sandboxError} @bp-command=${this.onCommand}></sandbox-bar>`
          : html`<student-bar .pacing=${live?.pacing ?? 'free'} .name=${student.name} .ready=${live !== null}></student-bar>`;
    return html`<div class="student" @bp-student=${this.onStudentAction}>
      ${top}
      ${student.notice ? html`<p class="banner" role="status" data-testid="notice">${student.notice}</p>` : nothing}
      <div class="alert" role="alert" data-testid="flag-error">${student.flagError
        ? html`<span>${student.flagError}</span><button @click=${() => ((student.flagError = ''), this.requestUpdate())} aria-label="Dismiss">✕</button>`
        : nothing}</div>
    </div>`;
  }

  private renderRefusal(code: string, message: string) {
    if (code === CONNECT_ERRORS.badToken) {
      forgetInstructorToken(this.lectureId);
      return this.refusedView(
        'This instructor link is not valid',
        html`The token in this link does not belong to lecture ${displayCode(this.lectureId)}. Use the instructor link you got when you created the lecture.
          To watch it instead, open the <a href="/lecture/${this.lectureId}">student view</a>.`,
      );
    }
    if (code === CONNECT_ERRORS.unknownLecture) {
      return this.refusedView(
        `There is no lecture with code ${displayCode(this.lectureId)}`,
        html`Check the code with your instructor and try again.`,
      );
    }
    if (code === CONNECT_ERRORS.protocol) {
      return this.refusedView('This page is out of date', html`The server was updated. Reload the page to continue.`);
    }
    if (code === 'too-many-attempts') {
      return this.refusedView('Too many failed attempts', html`The server says: ${message}. Reload the page after that to try again.`);
    }
    return this.refusedView('Could not join the lecture', html`${message}`);
  }

  private refusedView(heading: string, body: unknown) {
    return html`<section class="refused" role="alert" data-testid="refused">
      <h2>${heading}</h2>
      <p>${body}</p>
      <p><a href="/">Back to the start page</a></p>
    </section>`;
  }

  private onCommand = async (e: CommandRequestEvent) => {
    e.stopPropagation();
    // A student's commands only ever drive their own sandbox.
    if (this.student) return this.student.runLocally(e.detail);
    await this.send(e.detail);
  };

  private onFlag = (e: FlagToggleEvent) => {
    e.stopPropagation();
    void this.student?.flag(e.detail.target, e.detail.on);
  };

  private onPredict = (e: PredictionSubmitEvent) => {
    e.stopPropagation();
    void this.student?.submit(e.detail.value);
  };

  private onStudentAction = (e: StudentActionEvent) => {
    e.stopPropagation();
    this.student?.act(e.detail);
  };

  private async send(command: Command): Promise<void> {
    if (!this.live) return;
    const ack = await this.live.send(command);
    this.commandError = ack.ok ? null : ack.error;
  }

  private toggleProjector(): void {
    this.projector = !this.projector;
    this.toggleAttribute('projector', this.projector);
    document.documentElement.classList.toggle('projector', this.projector);
  }

  private onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    // Typing in a field (even inside a shadow root) is typing, not a shortcut.
    const target = e.composedPath()[0];
    if (target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName))) return;
    if (this.keyHelp?.open) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (this.student) {
      if (this.student.key(key)) e.preventDefault();
      return;
    }
    const command = KEY_COMMANDS[key];
    if (command) {
      e.preventDefault();
      void this.send(command);
    } else if (key === 't') {
      e.preventDefault();
      this.controls?.train();
    } else if (key === 'p') {
      e.preventDefault();
      this.toggleProjector();
    } else if (key === '?') {
      e.preventDefault();
      this.keyHelp?.show();
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'lecture-page': LecturePage;
  }
}
