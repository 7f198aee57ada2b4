import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { makeDataset, type Snapshot } from '../../shared/index.js';
import { plotDomain } from '../lib/heatmap.js';
import type { FlagView, PredictionContext } from '../lib/collab.js';
import type { ElementRef } from '../lib/equations.js';
import type { ElementHoverEvent } from '../lib/events.js';
import type { LivePoint } from '../lib/live-controller.js';
import { panelStyles } from '../lib/shared-styles.js';
import { bringIntoView, deepQueryAll, spotlightKey, spotlightText } from '../lib/spotlight.js';
import './prediction-card.js';
import './stage-strip.js';
import './nn-diagram.js';
import './equation-panel.js';
import './tensor-panel.js';
import './dataset-table.js';
import './loss-chart.js';
import './gradient-check.js';
import './decision-boundary.js';
import './neuron-maps.js';

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

  /** The spotlight last brought into view (undefined before the first picture, which does not scroll). */
  private shownSpotlight: string | null | undefined = undefined;

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
      .plane {
        grid-template-columns: minmax(0, 1fr);
      }
    }
  `,
  ];

  protected override async updated(): Promise<void> {
    const key = spotlightKey(this.snapshot?.spotlight);
    const first = this.shownSpotlight === undefined;
    if (key === this.shownSpotlight || this.snapshot === null) return;
    this.shownSpotlight = key;
    if (first || key === null) return;
    // The marks are drawn by the children, which render after this element.
    await Promise.all([...this.renderRoot.querySelectorAll<LitElement>('*')].map((child) => child.updateComplete));
    await new Promise(requestAnimationFrame);
    bringIntoView(deepQueryAll(this.renderRoot, '[data-spotlit]'), this.snapshot.spotlight?.type === 'stage' ? 'li' : 'td');
  }

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    const p = this.prediction;
    const highlight = this.fromDiagram ?? this.fromEquations;
    const spotlight = spotlightText(s);
    return html`
      <p class="visually-hidden" role="status" data-testid="spotlight-announcement">${spotlight ? `Spotlight on ${spotlight}` : ''}</p>
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
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lecture-view': LectureView;
  }
}
