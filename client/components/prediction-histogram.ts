import { LitElement, css, html, svg, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Histogram } from '../../shared/protocol/collab.js';
import { fmt } from '../lib/format.js';

const W = 320;
const H = 120;
const PAD = { left: 8, right: 8, top: 18, bottom: 22 };

/**
 * The class's answers as bars, with the actual value (solid line, "actual") and the student's
 * own answer (dashed line, "you") marked: each marker has its own shape and label, not just a colour.
 */
@customElement('prediction-histogram')
export class PredictionHistogram extends LitElement {
  @property({ attribute: false }) histogram: Histogram | null = null;
  @property({ attribute: false }) actual: number | null = null;
  @property({ attribute: false }) mine: number | null = null;

  static override styles = css`
    :host {
      display: block;
      max-width: 22rem;
    }
    svg {
      display: block;
      width: 100%;
      height: auto;
      max-height: var(--histogram-max-height, 8rem);
      font-family: system-ui, sans-serif;
    }
    .bar {
      fill: #8c959f;
    }
    .axis {
      stroke: var(--border);
    }
    /* Viewbox units; a projector display sets a bigger size. */
    text {
      font-size: var(--histogram-text-size, 11px);
      fill: var(--muted);
    }
    .actual line {
      stroke: var(--ok);
      stroke-width: 3;
    }
    .actual text {
      fill: var(--ok);
      font-weight: 700;
    }
    .mine line {
      stroke: var(--fg);
      stroke-width: 2;
      stroke-dasharray: 4 3;
    }
    .mine text {
      fill: var(--fg);
      font-weight: 700;
    }
    .count {
      font-size: 10px;
      fill: var(--fg);
    }
  `;

  override render() {
    const h = this.histogram;
    if (!h || h.counts.length === 0) return html`<p class="muted">No answers yet.</p>`;
    const marks = [this.actual, this.mine].filter((v): v is number => v !== null && Number.isFinite(v));
    let lo = Math.min(h.edges[0], ...marks);
    let hi = Math.max(h.edges[h.edges.length - 1], ...marks);
    if (hi - lo < 1e-9) {
      // Every answer the same: give the single bar some width around it.
      const pad = Math.max(Math.abs(lo) * 0.1, 0.05);
      lo -= pad;
      hi += pad;
    }
    const x = (v: number) => PAD.left + ((v - lo) / (hi - lo)) * (W - PAD.left - PAD.right);
    const max = Math.max(...h.counts, 1);
    const base = H - PAD.bottom;
    const barH = (c: number) => (c / max) * (base - PAD.top);
    const single = h.edges[0] === h.edges[h.edges.length - 1];
    const bars = h.counts.map((c, i) => {
      const x0 = single ? x(h.edges[0]) - 6 : x(h.edges[i]);
      const x1 = single ? x(h.edges[0]) + 6 : x(h.edges[i + 1]);
      return svg`<rect class="bar" x=${x0 + 0.5} y=${base - barH(c)} width=${Math.max(1, x1 - x0 - 1)} height=${barH(c)}></rect>
        ${c ? svg`<text class="count" x=${(x0 + x1) / 2} y=${base - barH(c) - 3} text-anchor="middle">${c}</text>` : nothing}`;
    });
    const marker = (cls: string, v: number | null, label: string, y: number) =>
      v === null || !Number.isFinite(v)
        ? nothing
        : svg`<g class=${cls}><line x1=${x(v)} x2=${x(v)} y1=${PAD.top - 4} y2=${base}></line>
            <text x=${Math.min(W - 40, Math.max(2, x(v) + 3))} y=${y}>${label}</text></g>`;
    const total = h.counts.reduce((a, b) => a + b, 0);
    const label = `Histogram of ${total} answer${total === 1 ? '' : 's'} from ${fmt(h.edges[0])} to ${fmt(h.edges[h.edges.length - 1])}${
      this.actual !== null ? `; actual ${fmt(this.actual)}` : ''
    }${this.mine !== null ? `; your answer ${fmt(this.mine)}` : ''}`;
    return html`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${label}>
      ${bars}
      <line class="axis" x1=${PAD.left} x2=${W - PAD.right} y1=${base} y2=${base}></line>
      <text x=${PAD.left} y=${H - 6}>${fmt(lo)}</text>
      <text x=${W - PAD.right} y=${H - 6} text-anchor="end">${fmt(hi)}</text>
      ${marker('mine', this.mine, '┆ you', PAD.top + 22)}
      ${marker('actual', this.actual, '▼ actual', PAD.top - 6)}
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'prediction-histogram': PredictionHistogram;
  }
}
