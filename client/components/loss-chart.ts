import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css?inline';
import { accuracy, NOTEBOOK_SAMPLES, pointEpoch, type Snapshot } from '../../shared/index.js';
import { fmt } from '../lib/format.js';
import type { LivePoint } from '../lib/live-controller.js';
import { panelStyles } from '../lib/shared-styles.js';

/**
 * Mean loss per finished epoch (uPlot; hover for the exact value), plus the losses that
 * training reports as it runs, and the accuracy of the current weights on the 8 rows.
 */
@customElement('loss-chart')
export class LossChart extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  @property({ attribute: false }) live: readonly LivePoint[] = [];

  @query('.chart') private chartBox!: HTMLElement;
  private plot: uPlot | null = null;
  private resize: ResizeObserver | null = null;

  static override styles = [
    unsafeCSS(uPlotCss),
    panelStyles,
    css`
      .chart {
        width: 100%;
        min-height: 1px;
      }
      .summary {
        margin: 0 0 0.4rem;
        font-size: 0.9rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
      }
      .u-legend {
        font-size: 0.8rem;
        font-family: var(--mono);
      }
      .empty {
        color: var(--muted);
        font-size: 0.9rem;
      }
    `,
  ];

  private series(): [number[], number[]] {
    const s = this.snapshot;
    const history = s?.lossHistory ?? [];
    // Beyond LOSS_POINTS epochs each entry is a block mean: plot it at its block's last epoch.
    const xs = history.map((_, k) => (s ? pointEpoch({ count: s.lossCount, stride: s.lossStride }, k) : k + 1));
    const ys = [...history];
    for (const p of this.live) {
      if (p.epoch > (xs.at(-1) ?? 0)) {
        xs.push(p.epoch);
        ys.push(p.loss);
      }
    }
    return [xs, ys];
  }

  override render() {
    const s = this.snapshot;
    const [xs, ys] = this.series();
    const acc = s?.tensors.W && s.tensors.V ? accuracy(s.tensors.W.data, s.tensors.V.data) : null;
    const right = acc === null ? 0 : Math.round(acc * NOTEBOOK_SAMPLES.length);
    return html`
      <section class="panel" aria-labelledby="loss-title">
        <h2 id="loss-title">Loss per epoch</h2>
        <p class="summary">
          <span data-testid="last-loss">${xs.length ? html`epoch ${xs[xs.length - 1]}: loss <span class="num">${fmt(ys[ys.length - 1])}</span>` : 'no epoch finished yet'}</span>
          ${acc !== null
            ? html`<span data-testid="accuracy">accuracy <strong>${right}/${NOTEBOOK_SAMPLES.length}</strong> (${Math.round(acc * 100)}%)</span>`
            : ''}
        </p>
        ${xs.length ? '' : html`<p class="empty">The mean loss of each epoch appears here once all 8 samples have been through a pass, or after training.</p>`}
        <div class="chart" aria-hidden=${xs.length ? 'false' : 'true'} ?hidden=${!xs.length}></div>
      </section>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('snapshot') && !changed.has('live')) return;
    const data = this.series();
    if (!data[0].length) return;
    if (!this.plot) this.create(data);
    else this.plot.setData(data);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  private create(data: [number[], number[]]): void {
    const width = Math.max(200, this.chartBox.clientWidth);
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const font = `${Math.round(0.75 * rem)}px system-ui, sans-serif`;
    this.plot = new uPlot(
      {
        width,
        height: Math.round(11 * rem),
        // Log scale: the loss falls by orders of magnitude while training, which a linear axis flattens.
        scales: { x: { time: false }, y: { distr: 3 } },
        cursor: { drag: { x: false, y: false } },
        legend: { live: true },
        axes: [
          { label: 'epoch', font, labelFont: font, size: Math.round(2.4 * rem) },
          { label: 'loss', font, labelFont: font, size: Math.round(3.6 * rem), values: (_u, ticks) => ticks.map((t) => (t == null ? "" : t >= 0.01 ? String(+t.toPrecision(2)) : t.toExponential(0))) },
        ],
        series: [
          { label: 'epoch', value: (_u, v) => (v == null ? '—' : String(v)) },
          { label: 'loss', stroke: '#e66101', width: 2, value: (_u, v) => (v == null ? '—' : fmt(v)) },
        ],
      },
      data,
      this.chartBox,
    );
    this.resize = new ResizeObserver(() => {
      const w = this.chartBox.clientWidth;
      if (this.plot && w > 0 && Math.abs(w - this.plot.width) > 2) this.plot.setSize({ width: w, height: this.plot.height });
    });
    this.resize.observe(this.chartBox);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'loss-chart': LossChart;
  }
}
