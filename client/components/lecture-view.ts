import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { makeDataset } from '../../shared/datasets/spec.js';
import type { Prediction } from '../../shared/protocol/collab.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { elementLabel, stageLabel, tensorShapeIn } from '../../shared/engine/mlp/tensor-names.js';
import { plotDomain } from '../lib/heatmap.js';
import type { FlagView, PredictionContext } from '../lib/collab.js';
import type { ElementRef } from '../lib/equations.js';
import type { ElementHoverEvent } from '../lib/events.js';
import type { LivePoint } from '../lib/live-controller.js';
import { panelStyles } from '../lib/shared-styles.js';
import { bringIntoView, deepQueryAll, spotlightKey, spotlightText } from '../lib/spotlight.js';
import { bringToTop, headInView, ThrottledAnnouncer, type MomentMode } from '../lib/moment.js';
import { fmt } from '../lib/format.js';
import './prediction-card.js';
import './question-bar.js';
import type { PredictionCard } from './prediction-card.js';
import './stage-strip.js';
import './nn-diagram.js';
import './equation-panel.js';
import './tensor-panel.js';
import { defineLater } from '../lib/define-later.js';

// Below a phone's first screen: defined once the stage strip is drawn (lib/define-later.ts).
defineLater(() => [
  import('./dataset-table.js'),
  import('./loss-chart.js'),
  import('./gradient-check.js'),
  import('./decision-boundary.js'),
  import('./neuron-maps.js'),
]);

/**
 * Everything everyone sees of one moment of a lecture, live or replayed: the same components
 * fed the same snapshot. Laptop: two columns; phone: one column in the order students need
 * (strip, question, equation, diagram, tensors, dataset, loss). The class's prediction question,
 * when there is one, sits right under the strip, where everyone looks. Two-feature data adds a
 * row of pictures over the input plane (decision boundary, hidden neurons) under the diagram.
 * The element of the equation line under the pointer (or focused) is marked in the diagram, and
 * the line of the node or edge under the pointer in the equations.
 */
@customElement('lecture-view')
export class LectureView extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  @property({ attribute: false }) live: readonly LivePoint[] = [];
  /** Instructor: W and V cells are editable. */
  @property({ type: Boolean }) editable = false;
  /** Flags as this person sees them (counts or own toggles); null: no flags here. */
  @property({ attribute: false }) flags: FlagView | null = null;
  /** How this person sees the snapshot's prediction; by default only shown (replay). */
  @property({ attribute: false }) prediction: PredictionContext | null = null;
  /** The instructor is pointing: clicks on stages, cells, nodes, edges and lines ask for the spotlight. */
  @property({ type: Boolean }) pointing = false;

  /**
   * What a new stage does to the page: `follow` brings its equation back into view (a student in
   * follow pacing), `offer` shows a pill that does on tap (free pacing), `none` leaves the page.
   */
  @property() moment: MomentMode = 'none';

  /** The spotlight last brought into view (undefined before the first picture, which does not scroll). */
  private shownSpotlight: string | null | undefined = undefined;
  /** The stage last seen: a new one is a moment to follow. */
  private shownStage: string | undefined = undefined;
  /** Free pacing: the stage that just ran ("↑ B_act just ran"), offered while its equation is off screen. */
  @state() private offered: string | null = null;
  @state() private announced = '';
  private readonly announcer = new ThrottledAnnouncer((text) => (this.announced = text));
  /** The question and answer last announced ("Question: predict C_act", "Answer sent: 0.7000"). */
  @state() private questionNews = '';
  private heardQuestion: string | null = null;

  /** The element of the equation line pointed at or focused, and of the node or edge pointed at. */
  @state() private fromEquations: ElementRef | null = null;
  @state() private fromDiagram: ElementRef | null = null;

  static override styles = [
    panelStyles,
    css`
    :host {
      display: block;
      min-width: 0;
    }
    .grid {
      display: grid;
      gap: 0.75rem;
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      grid-template-areas:
        'strip strip'
        'predict predict'
        'diagram equation'
        'plane plane'
        'tensors side';
      align-items: start;
    }
    .grid > * {
      min-width: 0;
    }
    stage-strip { grid-area: strip; }
    /* Free pacing: the stage that just ran, one tap away, above everything at the bottom of the screen. */
    .moment-pill {
      position: fixed;
      left: 50%;
      bottom: max(1rem, env(safe-area-inset-bottom));
    }
    /* The page's end stays above the question bar. */
    .bar-room {
      height: 5rem;
    }
    /* Above the question bar when there is one. */
    question-bar ~ .moment-pill {
      bottom: calc(4.5rem + env(safe-area-inset-bottom));
    }
    .moment-pill {
      transform: translateX(-50%);
      z-index: 20;
      min-height: 2.75rem;
      padding: 0.5rem 1.1rem;
      border: none;
      border-radius: 999px;
      background: var(--fg);
      color: var(--bg);
      font: inherit;
      font-weight: 700;
      box-shadow: 0 4px 14px rgb(0 0 0 / 0.3);
      cursor: pointer;
    }
    .moment-pill:focus-visible {
      outline: 3px solid var(--focus);
      outline-offset: 3px;
    }
    prediction-card { grid-area: predict; }
    nn-diagram { grid-area: diagram; }
    equation-panel { grid-area: equation; }
    tensor-panel { grid-area: tensors; }
    .plane {
      grid-area: plane;
      display: grid;
      gap: 0.75rem;
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      align-items: start;
      min-width: 0;
    }
    .plane > * {
      min-width: 0;
    }
    .side {
      grid-area: side;
      display: grid;
      gap: 0.75rem;
      min-width: 0;
    }
    @media (max-width: 900px) {
      .grid {
        grid-template-columns: minmax(0, 1fr);
        grid-template-areas: 'strip' 'predict' 'equation' 'diagram' 'plane' 'tensors' 'side';
      }
      /* The strip scrolls sideways on a narrow screen (a touch screen shows no scroll bar): its right edge fades, to say there is more. */
      stage-strip {
        position: relative;
      }
      stage-strip::after {
        content: '';
        position: absolute;
        top: 0;
        right: 0;
        bottom: 0;
        width: 1.75rem;
        background: linear-gradient(to right, transparent, var(--bg));
        pointer-events: none;
      }
      .plane {
        grid-template-columns: minmax(0, 1fr);
      }
    }
  `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.announcer.stop();
    removeEventListener('scroll', this.onScroll);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('scroll', this.onScroll, { passive: true });
  }

  /** The offer goes once its equation is back in view, however the student got there. */
  private readonly onScroll = (): void => {
    if (this.offered && this.equation && headInView(this.equation)) this.offered = null;
  };

  private get equation(): Element | null {
    return this.renderRoot.querySelector('equation-panel');
  }

  protected override async updated(): Promise<void> {
    this.announceQuestion();
    await this.followMoment();
    await this.followSpotlight();
  }

  /** A student hears a new question, the answer they sent and the reveal (a polite region, once each). */
  private announceQuestion(): void {
    const p = this.snapshot?.prediction;
    const student = this.prediction?.mode === 'student';
    if (!student || !p) return void (this.heardQuestion = null);
    if (p.status === 'revealed') return this.announceReveal(p);
    const mine = this.prediction?.mine ?? null;
    const news = `${p.askSeq}:${mine}`;
    if (news === this.heardQuestion) return;
    const first = this.heardQuestion === null || !this.heardQuestion.startsWith(`${p.askSeq}:`);
    this.heardQuestion = news;
    const what = elementLabel(p.tensor, p.index, tensorShapeIn(this.snapshot!.network, p.tensor));
    this.questionNews = first && mine === null ? `Question: predict ${what}` : mine !== null ? `Answer sent: ${fmt(mine)}; you can change it until the reveal` : this.questionNews;
  }

  /** The reveal, once: the actual value, this student's answer and the class's mean. */
  private announceReveal(p: Prediction): void {
    const news = `${p.askSeq}:revealed`;
    if (news === this.heardQuestion) return;
    this.heardQuestion = news;
    const what = elementLabel(p.tensor, p.index, tensorShapeIn(this.snapshot!.network, p.tensor));
    const mine = this.prediction?.mine ?? null;
    const answers = p.stats?.count ?? 0;
    this.questionNews = [
      `Revealed: ${what} is ${p.actual === null ? 'unknown' : fmt(p.actual)}`,
      mine === null ? 'you did not answer' : `your answer ${fmt(mine)}`,
      p.stats?.mean == null ? 'no answers from the class' : `class mean ${fmt(p.stats.mean)} (${answers} answer${answers === 1 ? '' : 's'})`,
    ].join('; ');
  }

  /** The question bar's tap (or the page's skip link): the answer field, in view and focused. */
  async goAnswer(): Promise<void> {
    const card = this.renderRoot.querySelector<PredictionCard>('prediction-card');
    if (!card) return;
    card.scrollIntoView({ behavior: 'auto', block: 'center' });
    await card.updateComplete;
    card.focusAnswer();
  }

  /** A new stage ran: it is announced, and its equation brought into view or offered. */
  private async followMoment(): Promise<void> {
    const s = this.snapshot;
    if (!s) return;
    const first = this.shownStage === undefined;
    if (s.stage === this.shownStage) return;
    this.shownStage = s.stage;
    if (first || s.stage === 'idle') return;
    this.announcer.say(`Stage ${stageLabel(s.stage)}`);
    if (this.moment === 'none') return;
    await this.descendantsRendered();
    const equation = this.equation;
    if (!equation || headInView(equation)) return void (this.offered = null);
    if (this.moment === 'follow') bringToTop(equation);
    else this.offered = `${equation.getBoundingClientRect().top < 0 ? '↑' : '↓'} ${stageLabel(s.stage)} just ran`;
  }

  private takeOffer(): void {
    const equation = this.equation;
    this.offered = null;
    if (equation) bringToTop(equation);
  }

  /**
   * Waits until every component inside this view has rendered what it was given: the marks are
   * drawn by children and their children (a tensor panel's cards), which render after this element
   * and after each other. Twice, for what a first render (a fold opening) set off.
   */
  private async descendantsRendered(): Promise<void> {
    for (let round = 0; round < 2; round++) {
      await Promise.all(deepQueryAll(this.renderRoot, '*').map((el) => (el as Partial<LitElement>).updateComplete));
      await new Promise(requestAnimationFrame);
    }
  }

  private async followSpotlight(): Promise<void> {
    const key = spotlightKey(this.snapshot?.spotlight);
    const first = this.shownSpotlight === undefined;
    if (key === this.shownSpotlight || this.snapshot === null) return;
    this.shownSpotlight = key;
    if (first || key === null) return;
    await this.descendantsRendered();
    bringIntoView(deepQueryAll(this.renderRoot, '[data-spotlit]'), this.snapshot?.spotlight?.type === 'stage' ? 'li' : 'td');
  }

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    const p = this.prediction;
    const highlight = this.fromDiagram ?? this.fromEquations;
    const spotlight = spotlightText(s);
    return html`
      <p class="visually-hidden" role="status" data-testid="spotlight-announcement">${spotlight ? `Spotlight on ${spotlight}` : ''}</p>
      <p class="visually-hidden" role="status" data-testid="stage-announcement">${this.announced}</p>
      <p class="visually-hidden" role="status" data-testid="question-announcement">${this.questionNews}</p>
      ${p?.mode === 'student' && s.prediction?.status === 'open'
        ? html`<question-bar .prediction=${s.prediction} .network=${s.network} .mine=${p.mine} @bp-go-answer=${() => void this.goAnswer()}></question-bar>`
        : nothing}
      ${this.offered
        ? html`<button class="moment-pill" data-testid="moment-pill" @click=${() => this.takeOffer()}>${this.offered}</button>`
        : nothing}
      <div class="grid">
        <stage-strip
          .network=${s.network}
          .stage=${s.stage}
          .sampleIndex=${s.sampleIndex}
          .epoch=${s.epoch}
          .training=${s.training}
          .flags=${this.flags}
          .spotlight=${spotlightKey(s.spotlight)}
          .pointing=${this.pointing}
        ></stage-strip>
        ${s.prediction
          ? html`<prediction-card
              .prediction=${s.prediction}
              .network=${s.network}
              .mode=${p?.mode ?? 'view'}
              .mine=${p?.mine ?? null}
              .aggregate=${p?.aggregate ?? null}
              .error=${p?.error ?? null}
              .busy=${p?.busy ?? false}
            ></prediction-card>`
          : nothing}
        <nn-diagram
          .snapshot=${s}
          .flagCounts=${this.flags?.counts ?? null}
          .highlight=${highlight}
          .pointing=${this.pointing}
          @bp-element-hover=${(e: ElementHoverEvent) => (this.fromDiagram = e.detail.element)}
        ></nn-diagram>
        <equation-panel
          .snapshot=${s}
          .highlight=${highlight}
          .pointing=${this.pointing}
          @bp-element-hover=${(e: ElementHoverEvent) => (this.fromEquations = e.detail.element)}
        ></equation-panel>
        ${plotDomain(makeDataset(s.dataset))
          ? html`<div class="plane">
              <decision-boundary .snapshot=${s}></decision-boundary>
              <neuron-maps .snapshot=${s}></neuron-maps>
            </div>`
          : nothing}
        <tensor-panel .snapshot=${s} .editable=${this.editable} .flags=${this.flags} .pointing=${this.pointing}></tensor-panel>
        <div class="side">
          <dataset-table .snapshot=${s}></dataset-table>
          <loss-chart .snapshot=${s} .live=${this.live}></loss-chart>
          <gradient-check .snapshot=${s}></gradient-check>
        </div>
      </div>
      ${p?.mode === 'student' && s.prediction?.status === 'open' ? html`<div class="bar-room" aria-hidden="true"></div>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lecture-view': LectureView;
  }
}
