import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { describeCommand } from '../lib/describe.js';
import type { ReplayActionEvent } from '../lib/events.js';
import { displayCode } from '../lib/format.js';
import { ReplayController } from '../lib/replay-controller.js';
import { buttonStyles, panelStyles } from '../lib/shared-styles.js';
import './connection-status.js';
import './lecture-view.js';
import './replay-controls.js';

/** A recorded lecture, replayed with the same views the live lecture used. */
@customElement('replay-page')
export class ReplayPage extends LitElement {
  @property() lectureId = '';

  private replay: ReplayController | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    css`
      :host {
        display: block;
        padding: 0.75rem;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        align-items: center;
        margin-bottom: 0.75rem;
      }
      h1 {
        font-size: 1.15rem;
        margin: 0;
        overflow-wrap: anywhere;
      }
      .brand {
        color: var(--muted);
        font-weight: 500;
      }
      replay-controls {
        position: sticky;
        top: 0;
        z-index: 2;
        margin-bottom: 0.75rem;
      }
      .error {
        max-width: 40rem;
        margin: 3rem auto;
        border: 2px solid var(--danger);
        border-radius: 0.5rem;
        padding: 1rem 1.5rem;
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
  }

  override render() {
    const r = this.replay!;
    if (r.loading) return html`<p role="status">Loading the recording…</p>`;
    if (r.error || !r.recording) {
      return html`<section class="error" role="alert" data-testid="replay-error">
        <h2>Cannot replay lecture ${displayCode(this.lectureId)}</h2>
        <p>${r.error}</p>
        <p><a href="/">Back to the start page</a></p>
      </section>`;
    }
    const event = r.position > 0 ? r.recording.events[r.position - 1] : null;
    const label = event && r.snapshot ? `${describeCommand(event.command, r.snapshot.network)} · ${new Date(event.at).toLocaleTimeString()}` : 'as created';
    document.title = `Replay: ${r.recording.lecture.title} · Backprop Live`;
    return html`
      <header>
        <h1><span class="brand">Backprop Live · replay ·</span> ${r.recording.lecture.title || 'Lecture'}</h1>
        <span>code <strong>${displayCode(this.lectureId)}</strong></span>
        <connection-status status="replay"></connection-status>
        <a class="button" href="/lecture/${this.lectureId}">Watch live</a>
      </header>
      <replay-controls
        .position=${r.position}
        .length=${r.length}
        .playing=${r.playing}
        .speed=${r.speed}
        .markers=${r.markers}
        .label=${label}
        .lectureId=${this.lectureId}
        @bp-replay=${this.onAction}
      ></replay-controls>
      ${r.snapshot ? html`<lecture-view .snapshot=${r.snapshot}></lecture-view>` : nothing}
    `;
  }

  private onAction = (e: ReplayActionEvent) => {
    const r = this.replay!;
    const a = e.detail;
    switch (a.type) {
      case 'toggle':
        return r.toggle();
      case 'seek':
        r.pause();
        return r.seek(a.position);
      case 'step':
        r.pause();
        return a.by > 0 ? r.next() : r.previous();
      case 'speed':
        return r.setSpeed(a.speed);
      case 'download':
        return this.download();
    }
  };

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
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.composedPath()[0];
    // Form controls handle their own keys (the range input moves with the arrows already).
    if (target instanceof HTMLElement && ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(target.tagName)) return;
    const r = this.replay;
    if (!r?.recording) return;
    if (e.key === ' ') {
      e.preventDefault();
      r.toggle();
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      r.pause();
      r.next();
    } else if (e.key === 'ArrowLeft') {
      e.preventDefault();
      r.pause();
      r.previous();
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'replay-page': ReplayPage;
  }
}
