import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { Command } from '../../shared/protocol/commands.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { CONNECT_ERRORS } from '../../shared/protocol/socket.js';
import type { CommandRequestEvent, CsvUploadRequestEvent, FlagToggleEvent, PredictionSubmitEvent, SpotlightRequestEvent, StudentActionEvent } from '../lib/events.js';
import { ApiError, uploadDatasetCsv } from '../lib/api.js';
import { displayCode } from '../lib/format.js';
import { LiveController } from '../lib/live-controller.js';
import { StudentController } from '../lib/student-controller.js';
import { buttonStyles, panelStyles, keyHintStyles } from '../lib/shared-styles.js';
import { forgetInstructorToken, takeInstructorToken } from '../lib/token.js';
import { myLecture, takeJustCreated } from '../lib/my-lectures.js';
import type { InstructorControls } from './instructor-controls.js';
import type { KeyHelp } from './key-help.js';
import type { NarrationControl } from './narration-control.js';
import type { BookmarkControl, BookmarkRequestEvent } from './bookmark-control.js';
import type { LectureView } from './lecture-view.js';
import './connection-status.js';
import './narration-badge.js';
import './lecture-view.js';
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

/**
 * A live lecture, as a student watches it or as the instructor runs it. The instructor's console
 * keeps its controls in a bar at the top of the screen (Step first), with the buttons that belong
 * to the room: pointing for the class, the projector display (its own window, for the second
 * screen), narration, bookmarks and the key list. Below, the class link (and the instructor link), the class, the lesson.
 */
/** How soon a console sends its narration's on-air state again when the class's badge does not show it. */
const NARRATION_RESEND_MS = 3_000;

@customElement('lecture-page')
export class LecturePage extends LitElement {
  @property() lectureId = '';
  // Not `role`: that is HTMLElement's ARIA role.
  @property() access: 'student' | 'instructor' = 'student';

  @state() private commandError: string | null = null;
  /** Why narration recording stopped or could not start (the console's narration control says). */
  @state() private narrationError: string | null = null;
  @state() private missingToken = false;
  /** The instructor's clicks point at things for the class (S) instead of acting on them. */
  @state() private pointing = false;

  /** The console's instructor token (shown as the instructor link) and whether it was created just now. */
  private token: string | null = null;
  private justCreated = false;

  @query('instructor-controls') private controls?: InstructorControls;
  @query('key-help') private keyHelp?: KeyHelp;
  @query('narration-control') private narration?: NarrationControl;
  @query('bookmark-control') private bookmark?: BookmarkControl;

  private live: LiveController | null = null;
  private student: StudentController | null = null;

  static override styles = [
    keyHintStyles,
    panelStyles,
    buttonStyles,
    css`
      :host {
        --page-pad: 0.75rem;
        display: block;
        padding: var(--page-pad);
        max-width: 100%;
      }
      @media (max-width: 480px) {
        :host {
          --page-pad: 0.5rem;
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
      .line-end {
        display: none;
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
      /* The console's controls stay at the top of the screen, whatever is scrolled under them. */
      .controls {
        position: sticky;
        top: 0;
        z-index: 5;
        /* Edge to edge: out over the page's padding, and the same padding inside. */
        margin: 0 calc(-1 * var(--page-pad)) 0.75rem;
        padding: 0.35rem var(--page-pad);
        background: var(--bg);
        box-shadow: 0 3px 8px rgb(0 0 0 / 0.1);
        display: grid;
        gap: 0.35rem;
      }
      /* On a phone, or a screen with few lines, the wrapped bar would cover the lesson: it scrolls. */
      @media (max-width: 700px), (max-height: 500px) {
        .controls {
          position: static;
        }
      }
      .refused .offer {
        font-weight: 600;
      }
      /*
       * A phone's first screen is for the lesson: the header is two short lines (the title on one,
       * ellipsised; the code, the live state, the watchers and Replay on the other), at most 56 px.
       * The brand is in the window's title already.
       */
      @media (max-width: 600px) {
        header {
          margin-bottom: 0.5rem;
        }
        .head-main {
          gap: 0.1rem 0.6rem;
          font-size: 0.85rem;
        }
        h1 {
          flex: 1 0 100%;
          font-size: 1rem;
          line-height: 1.3;
          white-space: nowrap;
          overflow: hidden;
          text-overflow: ellipsis;
        }
        .brand,
        .spacer {
          display: none;
        }
        /* While narration is recorded, the title shares its line with the badge (ellipsised sooner), and the second line keeps its room. */
        .head-main.narrating h1 {
          flex: 1 1 0;
        }
        .head-main.narrating .line-end {
          display: block;
          flex-basis: 100%;
          height: 0;
        }
        .head-main > a.button {
          margin-left: auto;
          min-height: 1.75rem;
          padding: 0.1rem 0.6rem;
          font-size: 0.85rem;
        }
        connection-status {
          font-size: 0.85rem;
        }
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
    this.token = token;
    this.justCreated = token !== null && takeJustCreated(this.lectureId);
    this.live = new LiveController(this, { lectureId: this.lectureId, token });
    // The console's parts only for the instructor: a student's page never downloads them.
    if (this.access === 'instructor') void import('./console-parts.js');
    if (this.access === 'student') this.student = new StudentController(this, this.live, this.lectureId);
    document.addEventListener('keydown', this.onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keydown', this.onKey);
    this.barSize.disconnect();
    this.observedBar = null;
    document.documentElement.style.removeProperty('scroll-padding-top');
  }

  /**
   * The page scrolls things into view (a focused weight cell, a spotlighted element) below the
   * console bar, not under it: the document's scroll padding follows the bar's height (none where
   * the bar scrolls with the page).
   */
  private readonly barSize = new ResizeObserver(() => {
    const bar = this.observedBar;
    const sticky = bar !== null && getComputedStyle(bar).position === 'sticky';
    document.documentElement.style.setProperty('scroll-padding-top', sticky ? `${Math.ceil(bar.getBoundingClientRect().height)}px` : '0px');
  });
  private observedBar: HTMLElement | null = null;

  protected override updated(): void {
    this.keepNarrationOnAir();
    const bar = this.renderRoot.querySelector<HTMLElement>('.controls');
    if (bar === this.observedBar) return;
    this.barSize.disconnect();
    this.observedBar = bar;
    if (bar) this.barSize.observe(bar);
  }

  /** The skip link: a keyboard's first stop while a question is open goes straight to the answer field. */
  private readonly skipToQuestion = (e: Event): void => {
    e.preventDefault();
    void this.renderRoot.querySelector<LectureView>('lecture-view')?.goAnswer();
  };

  override render() {
    if (this.missingToken) {
      return this.refusedView('This browser cannot control this lecture', this.whoCanControl());
    }
    const live = this.live!;
    if (live.refusal) return this.renderRefusal(live.refusal.code, live.refusal.message);
    const student = this.student;
    const view = student ? student.view : live.view;
    const instructor = this.access === 'instructor';
    const title = view?.title || 'Lecture';
    document.title = `${title} · Backprop Live`;
    return html`
      ${student && view?.prediction?.status === 'open'
        ? html`<a class="skip-link" href="#question" data-testid="skip-to-question" @click=${this.skipToQuestion}>Skip to the question</a>`
        : nothing}
      <header>
        <div class="head-main ${student && live.snapshot?.narrating ? 'narrating' : ''}">
        <h1><span class="brand">Backprop Live ·</span> ${title}</h1>
        ${student
          ? html`<narration-badge ?on=${live.snapshot?.narrating ?? false}></narration-badge><span class="line-end" aria-hidden="true"></span>`
          : nothing}
        <span>code <span class="code" data-testid="lecture-code">${displayCode(this.lectureId)}</span></span>
        ${instructor ? html`<span>instructor</span>` : nothing}
        <connection-status
          .status=${live.status}
          .watching=${live.presence ? live.presence.students : null}
          .projectors=${instructor && live.presence ? live.presence.projectors : null}
        ></connection-status>
        <span class="spacer"></span>
        <a class="button" href="/replay/${this.lectureId}">Replay</a>
        </div>
      </header>
      ${live.status === 'reconnecting' || live.status === 'offline'
        ? html`<p class="banner" role="status">
            ${live.status === 'offline' ? 'You are offline.' : 'Connection lost; reconnecting…'} What you see may be out of date; it catches up when the connection is back.
          </p>`
        : nothing}
      ${instructor ? this.renderConsoleBar(view) : nothing}
      ${instructor
        ? html`<div class="top">
            <share-panel .lectureId=${this.lectureId} .instructorToken=${this.token} .instructorOpen=${this.justCreated}></share-panel>
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
            .pointing=${instructor && this.pointing}
            .moment=${student?.mode === 'live' ? (view.pacing === 'follow' ? 'follow' : 'offer') : 'none'}
            .flags=${student ? student.flags : { counts: live.flagCounts, mine: null }}
            .prediction=${student
              ? student.prediction
              : { mode: 'instructor', mine: null, aggregate: live.predictionUpdate, error: null, busy: false }}
            @bp-command=${this.onCommand}
            @bp-flag=${this.onFlag}
            @bp-predict=${this.onPredict}
            @bp-spotlight=${this.onSpotlight}
          ></lecture-view>`
        : html`<p class="loading" role="status">Joining the lecture…</p>`}
      ${instructor ? html`<key-help></key-help>` : nothing}
    `;
  }

  /** The console's bar: the controls (Step first), then pointing, the projector display and the keys. */
  private renderConsoleBar(view: Snapshot | null) {
    const live = this.live!;
    return html`<div class="controls">
      <instructor-controls .snapshot=${view} .connected=${live.status === 'live'} @bp-command=${this.onCommand} @bp-csv-upload=${this.onCsvUpload}>
        <button aria-pressed=${this.pointing ? 'true' : 'false'} @click=${() => this.togglePointing()} data-testid="point"
          title="Then click what the class should look at">☝ Point <kbd>S</kbd></button>
        <button @click=${() => this.openProjector()} data-testid="open-projector">Open projector display <kbd>P</kbd></button>
        <narration-control .lectureId=${this.lectureId} .token=${this.token}
          @bp-narration-error=${(e: CustomEvent<string | null>) => (this.narrationError = e.detail)}></narration-control>
        <bookmark-control .snapshot=${view} .connected=${live.status === 'live'} @bp-bookmark=${this.onBookmark}></bookmark-control>
        <button @click=${() => this.keyHelp?.show()} aria-label="Keys: keyboard shortcuts (?)">Keys ?</button>
      </instructor-controls>
      <div class="alert" role="alert" data-testid="command-error">${this.commandError
        ? html`<span>${this.commandError}</span><button @click=${() => (this.commandError = null)} aria-label="Dismiss">✕</button>`
        : nothing}</div>
      <div class="alert" role="alert" data-testid="narration-error">${this.narrationError
        ? html`<span>${this.narrationError}</span><button @click=${() => (this.narrationError = null)} aria-label="Dismiss">✕</button>`
        : nothing}</div>
    </div>`;
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
        html`The instructor token this page has does not belong to lecture ${displayCode(this.lectureId)}. ${this.whoCanControl()}`,
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
    const mine = this.access === 'instructor' && myLecture(this.lectureId) !== undefined;
    return html`<section class="refused" role="alert" data-testid="refused">
      <h2>${heading}</h2>
      <p>${body}</p>
      ${mine
        ? html`<p class="offer" data-testid="your-lectures-offer">
            This browser created lecture ${displayCode(this.lectureId)}: open its console from <a href="/">Your lectures</a>.
          </p>`
        : html`<p><a href="/">Back to the start page</a></p>`}
    </section>`;
  }

  /** What to do without the right token, said plainly. */
  private whoCanControl() {
    return html`Only the browser that created this lecture, or someone with its instructor link, can control it.
      To watch it, open the <a href="/lecture/${this.lectureId}">student view</a>.`;
  }

  private onCommand = async (e: CommandRequestEvent) => {
    e.stopPropagation();
    // A student's commands only ever drive their own sandbox.
    if (this.student) return this.student.runLocally(e.detail);
    if (e.detail.type === 'setNarration') {
      this.onAir = e.detail.on;
      this.onAirSentAt = Date.now();
    }
    await this.send(e.detail);
  };

  /** Whether this console's recorder is on the air (null: it has not recorded; another device may be). */
  private onAir: boolean | null = null;
  private onAirSentAt = 0;
  private onAirRecheck: ReturnType<typeof setTimeout> | undefined;

  /**
   * The class's "recording" badge follows this console's recorder: a setNarration the server
   * refused (a training was running: it takes only stop meanwhile) or that was lost with the
   * connection is sent again once the lecture can take it, at most every few seconds.
   */
  private keepNarrationOnAir(): void {
    const snapshot = this.live?.snapshot;
    if (this.onAir === null || !snapshot || snapshot.training || this.live?.status !== 'live') return;
    if ((snapshot.narrating ?? false) === this.onAir) return;
    const wait = this.onAirSentAt + NARRATION_RESEND_MS - Date.now();
    // Looked at again when the wait is over: the lecture may be quiet by then, with nothing to render.
    if (wait > 0) return void (this.onAirRecheck ??= setTimeout(() => ((this.onAirRecheck = undefined), this.requestUpdate()), wait));
    this.onAirSentAt = Date.now();
    void this.send({ type: 'setNarration', on: this.onAir });
  }

  /**
   * The instructor chose a CSV file as the lecture's data: it goes over HTTP with this page's
   * token (the server then applies a setDataset, which arrives as a frame like any command's),
   * and how it went goes back to the picker that asked.
   */
  private onCsvUpload = async (e: CsvUploadRequestEvent) => {
    e.stopPropagation();
    const { file, source } = e.detail;
    if (this.access !== 'instructor' || !this.token) {
      source.upload = { status: 'failed', message: 'This page has no instructor token any more: open the instructor link again.', issues: [] };
      return;
    }
    source.upload = { status: 'sending' };
    try {
      await uploadDatasetCsv(this.lectureId, this.token, file);
      source.upload = { status: 'done', message: `${file.name} is the lecture's data now.` };
    } catch (err) {
      const issues = err instanceof ApiError ? err.issues : [];
      const message = err instanceof Error ? err.message : String(err);
      source.upload = { status: 'failed', message: `The file was not used: ${message}`, issues };
    }
  };

  /** A bookmark goes as every command does; its ack goes back to the control, which says it was recorded or why not. */
  private onBookmark = async (e: BookmarkRequestEvent) => {
    e.stopPropagation();
    const ack = this.live && this.access === 'instructor' ? await this.live.send(e.detail.command) : { ok: false as const, error: 'Only the console records bookmarks.', status: 0 };
    e.detail.reply(ack);
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

  /** The instructor pointed at something (or at nothing) while pointing: the class sees it. */
  private onSpotlight = (e: SpotlightRequestEvent) => {
    e.stopPropagation();
    if (this.access === 'instructor') void this.send({ type: 'spotlight', target: e.detail.target });
  };

  private async send(command: Command): Promise<void> {
    if (!this.live) return;
    const ack = await this.live.send(command);
    this.commandError = ack.ok ? null : ack.error;
  }

  private togglePointing(): void {
    this.pointing = !this.pointing;
  }

  /**
   * The class's screen in its own window, to drag onto the projector (the classic two-screen
   * set-up); named per lecture, so P again brings back the same window instead of another.
   * On this page's own origin: the console works here, so the display does too.
   */
  private openProjector(): void {
    const opened = window.open(`/lecture/${this.lectureId}/projector`, `backprop-projector-${this.lectureId}`);
    if (!opened) this.commandError = `The browser blocked the new window. Open /lecture/${this.lectureId}/projector in another window yourself, or allow pop-ups for this site.`;
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
      this.openProjector();
    } else if (key === 's') {
      e.preventDefault();
      this.togglePointing();
    } else if (key === 'n' && this.narration) {
      e.preventDefault();
      this.narration.toggle();
    } else if (key === 'm' && this.bookmark) {
      e.preventDefault();
      this.bookmark.open();
    } else if (key === 'Escape' && this.live?.view?.spotlight) {
      e.preventDefault();
      void this.send({ type: 'spotlight', target: null });
    } else if (key === 'Escape' && this.pointing) {
      e.preventDefault();
      this.pointing = false;
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
