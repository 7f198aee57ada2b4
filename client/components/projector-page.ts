import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { makeDataset } from '../../shared/datasets/spec.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { CONNECT_ERRORS } from '../../shared/protocol/socket.js';
import { stageLabel } from '../../shared/engine/mlp/tensor-names.js';
import { displayCode } from '../lib/format.js';
import { plotDomain } from '../lib/heatmap.js';
import { LiveController } from '../lib/live-controller.js';
import { publicBase } from '../lib/site.js';
import { spotlightKey } from '../lib/spotlight.js';
import { panelStyles } from '../lib/shared-styles.js';
import './connection-status.js';
import './narration-badge.js';
import './stage-strip.js';
import './nn-diagram.js';
import './equation-panel.js';
import './decision-boundary.js';
import './projector-join.js';
import './projector-question.js';

/**
 * The page's root font size: 16 px on a 1280×720 screen, scaled with the screen (by its width or
 * its height, whichever is shorter in proportion), so one layout fits every projector: everything
 * on this page is sized in rem.
 */
const ROOT_FONT_SIZE = 'min(1.25vw, 2.2222vh)';

/**
 * The class's shared screen, `/lecture/:id/projector`: the current moment of the lecture for a
 * wall 10–15 m away, on one screen without scrolling: the stage strip, the network, the current
 * stage's equation with this moment's numbers, the decision boundary for 2-D data, the class's
 * question, and how to join. It follows the lecture as a student does (same socket, same frames)
 * but is nobody: no token, not counted, never answers. It shows only what students see: never an
 * instructor control, never the answers to an open question.
 */
@customElement('projector-page')
export class ProjectorPage extends LitElement {
  @property() lectureId = '';

  /** The server's public base, for the join link and QR code; empty until the server said it. */
  @state() private base = '';

  private live: LiveController | null = null;
  private baseRetry: ReturnType<typeof setTimeout> | undefined;

  static override styles = [
    panelStyles,
    css`
      :host {
        display: block;
      }
      main {
        box-sizing: border-box;
        height: 100vh;
        height: 100dvh;
        padding: 0.6rem 0.75rem;
        display: grid;
        gap: 0.5rem 0.75rem;
        grid-template-columns: minmax(0, 1fr) auto;
        grid-template-rows: auto auto minmax(0, 1fr);
        grid-template-areas:
          'head join'
          'strip strip'
          'body body';
      }
      header {
        grid-area: head;
        align-self: center;
        min-width: 0;
      }
      header p {
        margin: 0.15rem 0 0;
        font-size: 1.1rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.2rem 1rem;
        align-items: baseline;
      }
      h1 {
        font-size: 1.3rem;
        margin: 0;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .brand {
        color: var(--muted);
        font-weight: 500;
      }
      connection-status {
        font-size: 1.1rem;
      }
      .where strong {
        font-family: var(--mono);
      }
      projector-join {
        grid-area: join;
        align-self: start;
        --join-qr-size: 4.6rem;
        --join-code-size: 2rem;
        --join-label-size: 0.85rem;
        --join-url-size: 0.8rem;
      }
      stage-strip {
        grid-area: strip;
        min-width: 0;
        --strip-chip-size: 0.92rem;
        --strip-label-size: 0.75rem;
      }
      .body {
        grid-area: body;
        min-height: 0;
        display: grid;
        gap: 0.75rem;
        grid-template-columns: minmax(0, 1.3fr) minmax(0, 1fr);
      }
      /*
       * 2-D data: the side holds the boundary too. The diagram keeps a little more than half the
       * width: its big nodes (nn-diagram display="projector") need 650 px for 24 px numbers on a
       * 1280×720 screen, and a forward line of the equations (a sum of two products) 590 px.
       */
      .plane.body {
        grid-template-columns: minmax(0, 1.1fr) minmax(0, 1fr);
      }
      .diagram {
        min-height: 0;
        /* The diagram's drawing is as tall as this cell lets it be (nn-diagram reads 100cqh). */
        container-type: size;
      }
      nn-diagram {
        /* The panel's heading and legend take about 4.5rem; the drawing gets the rest. */
        --diagram-max-height: calc(100cqh - 6.5rem);
        --diagram-caption-size: 0.85rem;
      }
      nn-diagram.notebook {
        /* Viewbox units; the notebook's boxes hold numbers this big (24 px on a 1280×720 screen). */
        --diagram-text-size: 19.5px;
        --diagram-tag-size: 15px;
      }
      .side {
        min-height: 0;
        display: flex;
        flex-direction: column;
        gap: 0.6rem;
      }
      projector-question {
        flex: none;
        --question-size: 1.25rem;
        --histogram-max-height: 6rem;
        --question-histogram-width: 16rem;
        --histogram-text-size: 14px;
      }
      equation-panel {
        flex: 1 1 auto;
        min-height: 0;
        --equation-phase-size: 0.85rem;
        --equation-title-size: 1.2rem;
        --equation-formula-size: 1.3rem;
        /* KaTeX draws at 1.21em: substituted numbers of 24 px on a 1280×720 screen. */
        --equation-line-size: 1.27rem;
      }
      decision-boundary {
        flex: none;
        --boundary-size: 10rem;
        --boundary-caption-size: 1rem;
      }
      .waiting {
        grid-area: body;
        font-size: 1.5rem;
        color: var(--muted);
      }
      .refused {
        max-width: 44rem;
        margin: 4rem auto;
        border: 2px solid var(--danger);
        border-radius: 0.5rem;
        padding: 1rem 1.5rem;
        font-size: 1.3rem;
      }
      .refused h1 {
        color: var(--danger);
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    document.documentElement.style.fontSize = ROOT_FONT_SIZE;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.baseRetry);
    document.documentElement.style.removeProperty('font-size');
  }

  /** Joins on the first update, once Lit has set lectureId (this element is upgraded lazily). */
  protected override willUpdate(): void {
    if (this.live || !this.lectureId) return;
    this.live = new LiveController(this, { lectureId: this.lectureId, display: 'projector' });
    this.loadBase();
  }

  /** Asks the server for its public base; until it answers the corner shows no link rather than a wrong one. */
  private loadBase(): void {
    publicBase().then(
      (base) => (this.base = base),
      () => (this.baseRetry = setTimeout(() => this.loadBase(), 3000)),
    );
  }

  override render() {
    const live = this.live;
    if (!live) return nothing;
    if (live.refusal) return this.renderRefusal(live.refusal.code, live.refusal.message);
    const s = live.view;
    const title = s?.title || 'Lecture';
    document.title = `${title} · projector · Backprop Live`;
    return html`<main data-testid="projector">
      <header>
        <h1><span class="brand">Backprop Live ·</span> ${title}</h1>
        <p>
          ${s ? this.renderWhere(s) : nothing}
          <narration-badge ?on=${s?.narrating ?? false}></narration-badge>
          ${live.status === 'live' ? nothing : html`<connection-status .status=${live.status}></connection-status>`}
        </p>
      </header>
      <projector-join .lectureId=${this.lectureId} .base=${this.base}></projector-join>
      ${s ? this.renderLesson(s, live) : html`<p class="waiting" role="status">Joining lecture ${displayCode(this.lectureId)}…</p>`}
    </main>`;
  }

  /** Where the lecture is: the stage (or the training), the sample and the epoch. */
  private renderWhere(s: Snapshot) {
    const t = s.training;
    const doing = t
      ? t.queued
        ? html`<strong>training waits its turn</strong>`
        : html`training <strong data-testid="projector-training">${t.epochsDone}/${t.epochsTotal}</strong> epochs`
      : html`stage <strong data-testid="projector-stage">${stageLabel(s.stage)}</strong>`;
    return html`<span class="where">${doing} · sample <strong>${s.sampleIndex}</strong> · epoch <strong>${s.epoch}</strong></span>`;
  }

  private renderLesson(s: Snapshot, live: LiveController) {
    const p = s.prediction;
    const twoD = plotDomain(makeDataset(s.dataset)) !== null;
    // The element asked about is marked in the diagram and the equations while the class thinks about it.
    const asked = p && p.status === 'open' ? { tensor: p.tensor, index: [...p.index] } : null;
    const answered = p && live.predictionCount?.askSeq === p.askSeq ? live.predictionCount.count : null;
    return html`
      <stage-strip
        display="projector"
        .network=${s.network}
        .stage=${s.stage}
        .sampleIndex=${s.sampleIndex}
        .epoch=${s.epoch}
        .training=${s.training}
        .spotlight=${spotlightKey(s.spotlight)}
      ></stage-strip>
      <div class="body ${twoD ? 'plane' : ''}">
        <div class="diagram">
          <nn-diagram display="projector" class=${mlpLayout(s.network).notebook ? 'notebook' : ''} .snapshot=${s} .highlight=${asked}></nn-diagram>
        </div>
        <div class="side">
          ${p ? html`<projector-question .prediction=${p} .network=${s.network} .answered=${answered}></projector-question>` : nothing}
          <equation-panel display="projector" .snapshot=${s} .highlight=${asked}></equation-panel>
          ${twoD ? html`<decision-boundary display="projector" .snapshot=${s}></decision-boundary>` : nothing}
        </div>
      </div>
    `;
  }

  private renderRefusal(code: string, message: string) {
    const [heading, body] =
      code === CONNECT_ERRORS.unknownLecture
        ? [`There is no lecture with code ${displayCode(this.lectureId)}`, 'Check the code in the address and open the projector display again.']
        : code === CONNECT_ERRORS.protocol
          ? ['This page is out of date', 'The server was updated. Reload the page to continue.']
          : ['Could not show the lecture', message];
    document.title = 'Projector · Backprop Live';
    return html`<main>
      <section class="refused" role="alert" data-testid="refused">
        <h1>${heading}</h1>
        <p>${body}</p>
        <p><a href="/">Back to the start page</a></p>
      </section>
    </main>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'projector-page': ProjectorPage;
  }
}
