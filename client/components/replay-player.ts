import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { Timeline } from '../../shared/lecture/timeline.js';
import { formatMoment } from '../../shared/protocol/moment-link.js';
import { describeEvent } from '../lib/describe.js';
import type { ReplayActionEvent } from '../lib/events.js';
import { ReplayController, type IdleLimit } from '../lib/replay-controller.js';
import { momentLink, momentText } from '../lib/replay-moment.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';
import { publicBase } from '../lib/site.js';
import type { EmbedDialog } from './embed-dialog.js';
import type { KeyHelp } from './key-help.js';
import './chapter-list.js';
import './embed-dialog.js';
import './key-help.js';
import './lecture-view.js';
import './replay-controls.js';

/** The replay's keys, for the shortcuts dialog. */
export const REPLAY_KEYS: [string, string][] = [
  ['Space', 'Play or pause'],
  ['→', 'Next event'],
  ['←', 'Previous event'],
  ['Home / End', 'To the start or the end (on the timeline)'],
  ['PageUp / PageDown', 'Ten seconds on or back (on the timeline)'],
];

/** How long the "link copied" note stays. */
const NOTE_MS = 8000;

/**
 * A recorded lecture played on its own clock: the thin bar (replay-controls), the lesson as the
 * live lecture showed it (lecture-view), the chapters beside it (chapter-list) and the narration
 * in an audio element, all driven by one ReplayController. The replay page hosts it with the
 * site's header; the embed page hosts it `minimal`: no list beside it (the chapters are in the
 * menu), nothing but the bar above the lesson.
 */
@customElement('replay-player')
export class ReplayPlayer extends LitElement {
  @property() lectureId = '';
  /** The embeddable player: chapters in the menu, no list beside the lesson. */
  @property({ type: Boolean, reflect: true }) minimal = false;

  private replay: ReplayController | null = null;
  @state() private note = '';
  private noteTimer: ReturnType<typeof setTimeout> | undefined;
  @query('key-help') private keyHelp!: KeyHelp;
  @query('embed-dialog') private embedDialog!: EmbedDialog;
  /** The marks of the timeline the player last drew, kept while it is the same. */
  private told = false;
  private marks: { timeline: Timeline; events: number[]; chapters: number[]; chapterTimes: number[] } | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    css`
      :host {
        display: block;
      }
      replay-controls {
        position: sticky;
        top: 0;
        z-index: 5;
      }
      .now {
        margin: 0.35rem 0.5rem 0.5rem;
        font-size: 0.85rem;
        color: var(--muted);
        overflow-wrap: anywhere;
      }
      .now strong {
        color: var(--fg);
      }
      .body {
        display: grid;
        gap: 0.75rem;
        grid-template-columns: minmax(0, 1fr);
      }
      @media (min-width: 1100px) {
        :host(:not([minimal])) .body {
          grid-template-columns: minmax(0, 1fr) 17rem;
          align-items: start;
        }
        chapter-list {
          position: sticky;
          top: 3.5rem;
          --chapters-height: calc(100vh - 7rem);
        }
      }
      @media (max-width: 1099px) {
        chapter-list {
          order: -1;
          --chapters-height: 50vh;
        }
      }
      .note {
        position: fixed;
        left: 50%;
        bottom: 1rem;
        transform: translateX(-50%);
        z-index: 30;
        max-width: calc(100vw - 2rem);
        padding: 0.6rem 1rem;
        border-radius: 0.5rem;
        background: var(--fg);
        color: #fff;
        font-size: 0.9rem;
        overflow-wrap: anywhere;
        box-shadow: 0 4px 16px rgb(0 0 0 / 0.25);
      }
      .note:empty {
        display: none;
      }
      .problem {
        margin: 0 0.5rem 0.5rem;
        font-size: 0.85rem;
        color: var(--danger);
      }
      audio {
        display: none;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.onKey);
  }

  /** On the first update: only then are properties set before a lazy upgrade restored. */
  protected override willUpdate(): void {
    this.replay ??= new ReplayController(this, this.lectureId);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keydown', this.onKey);
    clearTimeout(this.noteTimer);
  }

  /** The recording's title, told once it has loaded (the hosting page names it in its header). */
  protected override updated(): void {
    const title = this.replay?.recording?.lecture.title;
    if (title === undefined || this.told) return;
    this.told = true;
    this.dispatchEvent(new CustomEvent<{ title: string }>('bp-replay-loaded', { detail: { title }, bubbles: true, composed: true }));
  }

  override render() {
    const r = this.replay!;
    if (r.loading) return html`<p role="status">Loading the recording…</p>`;
    if (r.error || !r.recording || !r.timeline) {
      return html`<section class="panel" role="alert" data-testid="replay-error">
        <h2>Cannot replay this lecture</h2>
        <p>${r.error}</p>
        ${this.minimal ? nothing : html`<p><a href="/">Back to the start page</a></p>`}
      </section>`;
    }
    const marks = this.marksOf(r, r.timeline);
    const chapter = r.chapter;
    const current = chapter ? r.chapters.indexOf(chapter) : -1;
    const since = r.playhead - r.origin;
    return html`
      <replay-controls
        .playing=${r.playing}
        .speed=${r.speed}
        .playerTime=${r.playerTime}
        .playerDuration=${r.playerDuration}
        .time=${since}
        .duration=${r.end - r.origin}
        .eventMarks=${marks.events}
        .chapterMarks=${marks.chapters}
        .valueText=${`${formatMoment(since)}, ${chapter?.title ?? 'the lecture as created'}`}
        .lectureId=${this.lectureId}
        .takes=${r.narration?.takes ?? []}
        .idleLimit=${r.idleLimit}
        .narrationOn=${r.narrationOn}
        .menuChapters=${this.minimal ? r.chapters : []}
        .chapterTimes=${marks.chapterTimes}
        .currentChapter=${current}
        @bp-replay=${this.onAction}
      ></replay-controls>
      <p class="now" data-testid="replay-position" aria-live="polite">${this.nowText(r)}</p>
      ${r.narrationProblem ? html`<p class="problem" role="alert">${r.narrationProblem}</p>` : nothing}
      <div class="body">
        ${r.snapshot ? html`<lecture-view .snapshot=${r.snapshot}></lecture-view>` : nothing}
        ${this.minimal ? nothing : html`<chapter-list .chapters=${r.chapters} .times=${marks.chapterTimes} .current=${current} @bp-replay=${this.onAction}></chapter-list>`}
      </div>
      <p class="note" role="status" data-testid="replay-note">${this.note}</p>
      <key-help .keys=${REPLAY_KEYS}></key-help>
      <embed-dialog .lectureId=${this.lectureId} .lectureTitle=${r.recording.lecture.title}></embed-dialog>
      ${r.audio}
    `;
  }

  /** "event 3 of 5 · Step → B_act": where in the recording the state shown is, labelled by its stage. */
  private nowText(r: ReplayController) {
    const event = r.position > 0 ? r.recording!.events[r.position - 1] : null;
    const label = event && r.snapshot ? describeEvent(event, r.snapshot.network) : 'the lecture as created';
    return html`event <strong>${r.position}</strong> of ${r.length} · ${label}`;
  }

  /** The timeline's marks (player ms) and the chapters' times since the start, once per timeline. */
  private marksOf(r: ReplayController, timeline: Timeline) {
    if (this.marks?.timeline !== timeline) {
      const chapterAt = r.chapters.map((c) => c.at);
      this.marks = {
        timeline,
        events: r.times.map((t) => timeline.toPlayer(t)),
        chapters: chapterAt.map((t) => timeline.toPlayer(t)),
        chapterTimes: chapterAt.map((t) => t - r.origin),
      };
    }
    return this.marks;
  }

  private onAction = (e: ReplayActionEvent) => {
    e.stopPropagation();
    const r = this.replay!;
    const a = e.detail;
    switch (a.type) {
      case 'toggle':
        return r.toggle();
      case 'seek':
        return r.seekPlayer(a.playerTime);
      case 'chapter':
        return r.seekSeq(a.seq);
      case 'step':
        r.pause();
        return a.by > 0 ? r.next() : r.previous();
      case 'edge':
        return a.to === 'start' ? r.seek(0) : r.seek(r.length);
      case 'speed':
        return r.setSpeed(a.speed);
      case 'idle':
        return r.setIdleLimit(a.limit as IdleLimit);
      case 'narration':
        return r.setNarrationOn(a.on);
      case 'copy-link':
        return void this.copyLink();
      case 'embed':
        this.embedDialog.moment = this.momentNow() ?? '';
        // Where no ?t= names the moment (events in one millisecond), the embed opens at ?seq=.
        this.embedDialog.seq = r.snapshot?.seq ?? 0;
        return this.embedDialog.show();
      case 'keys':
        return this.keyHelp.show();
      case 'download':
        return this.download();
    }
  };

  /** The link to the moment on show, on the site's public base: on the clipboard, and in a note either way. */
  private async copyLink(): Promise<void> {
    const r = this.replay!;
    const seq = r.snapshot?.seq ?? 0;
    let link: string;
    try {
      link = momentLink(await publicBase(), 'replay', this.lectureId, { t: this.momentNow(), seq });
    } catch (e) {
      return this.showNote(`No link: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      await navigator.clipboard.writeText(link);
      this.showNote(`Link copied: ${link}`);
    } catch {
      this.showNote(`Copy this link: ${link}`);
    }
  }

  /** The `?t=` that reopens the moment on show, or null when only `?seq=` can. */
  private momentNow(): string | null {
    const r = this.replay!;
    return momentText(r.playhead, r.origin, (t) => r.shows(t), r.position);
  }

  private showNote(text: string): void {
    this.note = text;
    clearTimeout(this.noteTimer);
    this.noteTimer = setTimeout(() => (this.note = ''), NOTE_MS);
  }

  private download(): void {
    const recording = this.replay?.recording;
    if (!recording) return;
    const url = URL.createObjectURL(new Blob([JSON.stringify(recording, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `backprop-live-${this.lectureId}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    const target = e.composedPath()[0];
    // Form controls, links and dialogs handle their own keys (the timeline steps with the arrows itself).
    if (target instanceof HTMLElement && (['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'A', 'SUMMARY'].includes(target.tagName) || target.closest('dialog'))) return;
    if (this.keyHelp?.open) return;
    const r = this.replay;
    if (!r?.recording) return;
    const act: Record<string, (() => void) | undefined> = {
      ' ': () => r.toggle(),
      ArrowRight: () => (r.pause(), r.next()),
      ArrowLeft: () => (r.pause(), r.previous()),
    };
    const run = Object.hasOwn(act, e.key) ? act[e.key] : undefined;
    if (!run) return;
    e.preventDefault();
    run();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'replay-player': ReplayPlayer;
  }
}
