import { LitElement, css, html, nothing, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css?inline';
import { evaluateMlp, type MlpEvaluation } from '../../shared/engine/mlp/train.js';
import { packedData } from '../../shared/lecture/setup.js';
import { pointEpoch } from '../../shared/protocol/loss-series.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { isNotebookDataset } from '../../shared/datasets/spec.js';
import { fmt } from '../lib/format.js';
import type { LivePoint } from '../lib/live-controller.js';
import { panelStyles } from '../lib/shared-styles.js';
import { snapshotParams } from '../lib/snapshot-network.js';

/** The two series' colours: the diverging scale's orange and blue (colors.ts), told apart by a dash too. */
const TRAIN_COLOUR = '#e66101';
const TEST_COLOUR = '#2166ac';

type Series = [number[], (number | null)[], ...(number | null)[][]];

/**
 * uPlot is loaded when a chart is first drawn (after the first finished epoch), not with the page:
 * a student's first screen does not need it (issue 12, "A page that loads fast").
 */
let UPlot: typeof uPlot | null = null;
let loadingUplot: Promise<void> | null = null;
const loadUplot = (): Promise<void> =>
  (loadingUplot ??= import('uplot').then((m) => {
    UPlot = m.default;
  }));

interface Accuracies {
  readonly train: MlpEvaluation;
  readonly test: MlpEvaluation | null;
}

/** "97.5 %", "94 %": one decimal only where it says something. */
const percent = (x: number) => `${String(Math.round(x * 1000) / 10)} %`;

/**
 * Mean loss per finished epoch (uPlot; hover for the exact value) on the training rows and, when
 * the dataset holds rows out, on those test rows; plus the losses training reports as it runs,
 * and the accuracy of the current weights on both.
 */
@customElement('loss-chart')
export class LossChart extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  @property({ attribute: false }) live: readonly LivePoint[] = [];

  @query('.chart') private chartBox!: HTMLElement;
  private plot: uPlot | null = null;
  /** Whether the plot was built with a test series (the series cannot be added in place). */
  private plotHasTest = false;
  private resize: ResizeObserver | null = null;
  /** Accuracy is a pass over every row: computed again only when the weights or the data change. */
  private accuracyMemo: { key: readonly unknown[]; value: Accuracies | null } | null = null;

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

  /** Whether there is a held-out series to draw. */
  private get hasTest(): boolean {
    return (this.snapshot?.testLossHistory.length ?? 0) > 0 || this.live.some((p) => p.testLoss !== null);
  }

  private series(): Series {
    const s = this.snapshot;
    const history = s?.lossHistory ?? [];
    const testHistory = s?.testLossHistory ?? [];
    // Beyond LOSS_POINTS epochs each entry is a block mean: plot it at its block's last epoch.
    const xs = history.map((_, k) => (s ? pointEpoch({ count: s.lossCount, stride: s.lossStride }, k) : k + 1));
    const ys: (number | null)[] = [...history];
    const tests: (number | null)[] = history.map((_, k) => testHistory[k] ?? null);
    for (const p of this.live) {
      if (p.epoch > (xs.at(-1) ?? 0)) {
        xs.push(p.epoch);
        ys.push(p.loss);
        tests.push(p.testLoss);
      }
    }
    return this.hasTest ? [xs, ys, tests] : [xs, ys];
  }

  /** Accuracy on the training rows and the held-out rows; null for regression targets or missing weights. */
  private accuracies(): Accuracies | null {
    const s = this.snapshot;
    if (!s) return null;
    const params = snapshotParams(s);
    const key = [s.network, s.dataset, ...(params ? [...params.weights, ...(params.biases ?? [])] : [])];
    const memo = this.accuracyMemo;
    if (memo && memo.key.length === key.length && memo.key.every((k, i) => k === key[i])) return memo.value;
    let value: Accuracies | null = null;
    if (params) {
      const { train, test } = packedData(s.dataset);
      const trained = evaluateMlp(s.network, params, train);
      value = trained.accuracy === null ? null : { train: trained, test: test ? evaluateMlp(s.network, params, test) : null };
    }
    this.accuracyMemo = { key, value };
    return value;
  }

  override render() {
    const s = this.snapshot;
    const [xs, ys, tests] = this.series();
    const lastTest = tests?.at(-1);
    const rows = s ? packedData(s.dataset).train.count : 0;
    const notebook = s ? isNotebookDataset(s.dataset) : false;
    return html`
      <section class="panel" aria-labelledby="loss-title">
        <h2 id="loss-title">Loss per epoch</h2>
        <p class="summary">
          <span data-testid="last-loss">${xs.length
            ? html`epoch ${xs[xs.length - 1]}: loss <span class="num">${fmt(ys[ys.length - 1] ?? undefined)}</span>${lastTest != null
                  ? html` · test <span class="num" data-testid="last-test-loss">${fmt(lastTest)}</span>`
                  : nothing}`
            : 'no epoch finished yet'}</span>
          ${this.renderAccuracy(this.accuracies())}
        </p>
        ${xs.length
          ? ''
          : html`<p class="empty">The mean loss of each epoch appears here once all ${rows} ${notebook ? 'samples' : 'rows'} have been through a pass, or after training.</p>`}
        <div class="chart" aria-hidden=${xs.length ? 'false' : 'true'} ?hidden=${!xs.length}></div>
      </section>
    `;
  }

  /** "accuracy 8/8 (100%)" on the training rows alone; "accuracy train 97.5 % · test 94 %" with held-out rows. */
  private renderAccuracy(acc: Accuracies | null) {
    if (!acc || acc.train.accuracy === null) return nothing;
    const train = acc.train.accuracy;
    const test = acc.test?.accuracy ?? null;
    if (test === null) {
      const right = Math.round(train * acc.train.count);
      return html`<span data-testid="accuracy">accuracy <strong>${right}/${acc.train.count}</strong> (${Math.round(train * 100)}%)</span>`;
    }
    return html`<span data-testid="accuracy"
      >accuracy train <strong data-testid="accuracy-train">${percent(train)}</strong> · test <strong data-testid="accuracy-test">${percent(test)}</strong></span
    >`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('snapshot') && !changed.has('live')) return;
    this.draw();
  }

  private draw(): void {
    const data = this.series();
    if (!data[0].length) return;
    if (!UPlot) {
      void loadUplot().then(() => this.isConnected && this.draw());
      return;
    }
    if (this.plot && this.plotHasTest !== data.length > 2) this.destroyPlot();
    if (!this.plot) this.create(data);
    else this.plot.setData(data);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.destroyPlot();
  }

  private destroyPlot(): void {
    this.resize?.disconnect();
    this.resize = null;
    this.plot?.destroy();
    this.plot = null;
  }

  private create(data: Series): void {
    if (!UPlot) return;
    const withTest = data.length > 2;
    const lossValue = (_u: uPlot, v: number | null) => (v == null ? '—' : fmt(v));
    const width = Math.max(200, this.chartBox.clientWidth);
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const font = `${Math.round(0.75 * rem)}px system-ui, sans-serif`;
    this.plotHasTest = withTest;
    this.plot = new UPlot(
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
          { label: withTest ? 'train loss' : 'loss', stroke: TRAIN_COLOUR, width: 2, value: lossValue },
          ...(withTest ? [{ label: 'test loss', stroke: TEST_COLOUR, width: 2, dash: [6, 4], value: lossValue }] : []),
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
