import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Snapshot } from '../../shared/index.js';
import type { LivePoint } from '../lib/live-controller.js';
import './stage-strip.js';
import './nn-diagram.js';
import './equation-panel.js';
import './tensor-panel.js';
import './dataset-table.js';
import './loss-chart.js';
import './gradient-check.js';

/**
 * Everything everyone sees of one moment of a lecture, live or replayed: the same components
 * fed the same snapshot. Laptop: two columns; phone: one column in the order students need
 * (strip, equation, diagram, tensors, dataset, loss).
 */
@customElement('lecture-view')
export class LectureView extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  @property({ attribute: false }) live: readonly LivePoint[] = [];
  /** Instructor: W and V cells are editable. */
  @property({ type: Boolean }) editable = false;

  static override styles = css`
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
        'diagram equation'
        'tensors side';
      align-items: start;
    }
    .grid > * {
      min-width: 0;
    }
    stage-strip { grid-area: strip; }
    nn-diagram { grid-area: diagram; }
    equation-panel { grid-area: equation; }
    tensor-panel { grid-area: tensors; }
    .side {
      grid-area: side;
      display: grid;
      gap: 0.75rem;
      min-width: 0;
    }
    @media (max-width: 900px) {
      .grid {
        grid-template-columns: minmax(0, 1fr);
        grid-template-areas: 'strip' 'equation' 'diagram' 'tensors' 'side';
      }
    }
  `;

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    return html`
      <div class="grid">
        <stage-strip .stage=${s.stage} .sampleIndex=${s.sampleIndex} .epoch=${s.epoch} .training=${s.training}></stage-strip>
        <nn-diagram .snapshot=${s}></nn-diagram>
        <equation-panel .snapshot=${s}></equation-panel>
        <tensor-panel .snapshot=${s} .editable=${this.editable}></tensor-panel>
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
