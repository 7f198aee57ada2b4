import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { sendCommandAsPageCloses } from '../lib/api.js';
import { CommandRequestEvent } from '../lib/events.js';
import { micIcon } from '../lib/mic-icon.js';
import { NarrationRecorder, type NarrationState } from '../lib/narration-recorder.js';
import { buttonStyles, keyHintStyles, panelStyles } from '../lib/shared-styles.js';

/**
 * The console's "Record narration": off until the instructor presses it (the browser then asks for
 * the microphone). While recording it shows a red dot, the recorded time, Pause and Stop; the
 * recorder (client/lib/narration-recorder.ts) uploads the chunks as they come. Going on and off the
 * air is a setNarration command, asked for like any other (bp-command), so the class sees "🎙 recording";
 * why recording stopped goes to the page (bp-narration-error), which shows it under the bar.
 */
@customElement('narration-control')
export class NarrationControl extends LitElement {
  @property() lectureId = '';
  @property({ attribute: false }) token: string | null = null;

  @state() private recording: NarrationState | null = null;
  /** Redraws the clock while recording. */
  private tick: ReturnType<typeof setInterval> | null = null;
  private recorder: NarrationRecorder | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    keyHintStyles,
    css`
      :host {
        display: contents;
      }
      .narration {
        display: inline-flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.4rem;
      }
      .live {
        display: inline-flex;
        align-items: center;
        gap: 0.35rem;
        font-weight: 650;
        color: var(--danger);
      }
      .dot {
        width: 0.75rem;
        height: 0.75rem;
        border-radius: 50%;
        background: var(--danger);
        flex: none;
      }
      .paused .dot {
        background: transparent;
        border: 2px solid var(--danger);
      }
      .mic {
        vertical-align: -0.125em;
      }
      .time {
        font-family: var(--mono);
        font-variant-numeric: tabular-nums;
      }
      .waiting {
        color: var(--muted);
        font-size: 0.9rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('beforeunload', this.onBeforeUnload);
    window.addEventListener('pagehide', this.onPageHide);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    window.removeEventListener('pagehide', this.onPageHide);
    this.stopTicking();
    this.recorder?.dispose();
    this.recorder = null;
  }

  /** N on the keyboard: record, pause or resume (Stop is a click: it ends the take). */
  toggle(): void {
    const status = this.recording?.status ?? 'idle';
    if (status === 'idle') void this.start();
    else if (status === 'recording') this.recorder?.pause();
    else if (status === 'paused') this.recorder?.resume();
  }

  override render() {
    const s = this.recording;
    const status = s?.status ?? 'idle';
    return html`<div class="narration" role="group" aria-label="Narration" data-testid="narration-control">
      ${status === 'idle' || status === 'asking'
        ? html`<button ?disabled=${status === 'asking' || !this.token} @click=${() => this.start()} data-testid="record-narration">
            ${micIcon} ${status === 'asking' ? 'Asking for the microphone…' : 'Record narration'} <kbd>N</kbd>
          </button>`
        : this.renderRecording(s!)}
      ${s && s.pending > 0 && s.retrying
        ? html`<span class="waiting" role="status">${s.pending} ${s.pending === 1 ? 'chunk' : 'chunks'} waiting to upload; retrying…</span>`
        : nothing}
    </div>`;
  }

  private renderRecording(s: NarrationState) {
    const paused = s.status === 'paused';
    const finishing = s.status === 'finishing';
    const time = clockText(this.recorder?.audioMs() ?? s.audioMs);
    return html`<span class="live ${paused ? 'paused' : ''}" data-testid="narration-status">
        <span class="dot" aria-hidden="true"></span>
        ${finishing ? 'Saving the narration…' : paused ? 'Narration paused' : 'Recording narration'}
        <span class="time" role="timer" aria-label="Recorded ${time}">${time}</span>
      </span>
      ${finishing
        ? nothing
        : html`${paused
              ? html`<button @click=${() => this.recorder?.resume()} data-testid="narration-resume">Resume <kbd>N</kbd></button>`
              : html`<button @click=${() => this.recorder?.pause()} data-testid="narration-pause">Pause <kbd>N</kbd></button>`}
            <button @click=${() => void this.recorder?.stop()} data-testid="narration-stop">■ Stop recording</button>`}`;
  }

  private async start(): Promise<void> {
    if (!this.token) return;
    this.recorder?.dispose();
    this.recorder = new NarrationRecorder({
      lectureId: this.lectureId,
      token: this.token,
      onChange: (state) => this.changed(state),
      onAir: (on) => this.dispatchEvent(new CommandRequestEvent({ type: 'setNarration', on })),
    });
    await this.recorder.start();
  }

  private changed(state: NarrationState): void {
    if (state.error !== (this.recording?.error ?? null)) this.dispatchEvent(new NarrationErrorEvent(state.error));
    this.recording = state;
    const running = state.status === 'recording';
    if (running && !this.tick) this.tick = setInterval(() => this.requestUpdate(), 500);
    if (!running) this.stopTicking();
  }

  private stopTicking(): void {
    if (this.tick) clearInterval(this.tick);
    this.tick = null;
  }

  /** Closing the console while audio is unsaved: the browser asks first. */
  private readonly onBeforeUnload = (e: BeforeUnloadEvent): void => {
    if (this.recorder?.unsaved) e.preventDefault();
  };

  /** The console is closing while on the air: the class's "🎙 recording" goes off in a request that outlives the page. */
  private readonly onPageHide = (): void => {
    if (this.recording?.status === 'recording' && this.token) sendCommandAsPageCloses(this.lectureId, this.token, { type: 'setNarration', on: false });
  };
}

/**
 * Why narration stopped or could not start (null: the reason is over, a new recording began). The
 * page shows it under the console's bar, where a sentence has the room, not inside the bar's row.
 */
export class NarrationErrorEvent extends CustomEvent<string | null> {
  static readonly type = 'bp-narration-error';
  constructor(message: string | null) {
    super(NarrationErrorEvent.type, { detail: message, bubbles: true, composed: true });
  }
}

/** Recorded time as m:ss (h:mm:ss past an hour). */
function clockText(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'narration-control': NarrationControl;
  }
  interface HTMLElementEventMap {
    'bp-narration-error': NarrationErrorEvent;
  }
}
