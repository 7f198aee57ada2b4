import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { makeDataset } from '../../shared/datasets/spec.js';
import type { Dataset } from '../../shared/datasets/types.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { currentPass } from '../../shared/lecture/pass.js';
import { snapshotNetwork } from '../../shared/lecture/snapshot-network.js';
import {
  accuracyOn,
  accuracySummary,
  landmarkClasses,
  OUTPUT_SCALE,
  paintPixels,
  paramsFromTensors,
  plotDomain,
  scaleCss,
  sharedHeatGrids,
  toPixel,
  type Accuracy,
  type HeatGrid,
  type PlotDomain,
} from '../lib/heatmap.js';
import { panelStyles, swatchStyles } from '../lib/shared-styles.js';

/** Canvas pixels per side; CSS scales it to the column. */
const CANVAS_SIZE = 480;
/** The heat is drawn a little lighter than the dots, so the dots stand out on their own colour. */
const HEAT_STRENGTH = 0.8;
/** Rings around the rows of the current pass only while they are few enough to pick out. */
const MAX_RINGED_ROWS = 32;

/** What a drawing showed, for the text summary and the test hooks. */
interface Drawn {
  readonly train: Accuracy | null;
  readonly test: Accuracy | null;
  readonly centre: 0 | 1;
  readonly corners: string;
}

/**
 * The network's output over its input plane, as TensorFlow Playground draws it: 0 blue, 1 orange,
 * the boundary (0.5) white; training rows as filled dots, held-out rows as rings, the rows of the
 * current pass ringed in black. Only for two-feature data (plotDomain). Redrawn at most once an
 * animation frame, when the parameters, the data or the current row change.
 *
 * Test hooks on the host: data-centre and data-corners (predicted classes at the centre and at the
 * corners bottom-left, bottom-right, top-left, top-right), data-train-accuracy / data-test-accuracy
 * (whole percent).
 */
@customElement('decision-boundary')
export class DecisionBoundary extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;

  @state() private drawn: Drawn | null = null;
  @query('canvas') private canvas?: HTMLCanvasElement;

  private frame = 0;
  private drawnKey: readonly unknown[] = [];
  private readonly heat = document.createElement('canvas');

  static override styles = [
    panelStyles,
    swatchStyles,
    css`
      figure {
        margin: 0;
        display: grid;
        gap: 0.4rem;
        justify-items: start;
      }
      .plot {
        display: grid;
        grid-template-columns: auto minmax(0, 22rem);
        grid-template-rows: auto auto;
        justify-content: start;
        gap: 0.2rem 0.3rem;
        align-items: center;
        width: 100%;
      }
      canvas {
        width: 100%;
        aspect-ratio: 1;
        border: 1px solid var(--border);
        border-radius: 0.25rem;
        display: block;
      }
      .axis {
        font-size: 0.75rem;
        color: var(--muted);
        font-family: var(--mono);
      }
      .axis.y {
        align-self: stretch;
        display: flex;
        flex-direction: column;
        justify-content: space-between;
        align-items: end;
      }
      .axis.x {
        grid-column: 2;
        display: flex;
        justify-content: space-between;
      }
      figcaption {
        font-size: 0.9rem;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 0.9rem;
        align-items: center;
        font-size: 0.8rem;
        color: var(--muted);
      }
      .swatch {
        margin: 0 0.25rem;
      }
      /* A projector display (display="projector") sizes the plot to the room it has. */
      /* The plot on the left, its caption and legend beside it: the lesson keeps the height. */
      :host([display='projector']) figure {
        grid-template-columns: auto minmax(0, 1fr);
        align-items: start;
        column-gap: 0.75rem;
      }
      :host([display='projector']) .plot {
        grid-template-columns: auto var(--boundary-size, 22rem);
        grid-row: 1 / span 2;
        width: auto;
      }
      :host([display='projector']) figcaption {
        font-size: var(--boundary-caption-size, 0.9rem);
      }
      .dot {
        display: inline-block;
        width: 0.7rem;
        height: 0.7rem;
        border-radius: 50%;
        vertical-align: middle;
        margin-right: 0.2rem;
      }
    `,
  ];

  /** The data of this snapshot and where to draw it, or null when it is not two-dimensional. */
  private get plane(): { dataset: Dataset; domain: PlotDomain } | null {
    const s = this.snapshot;
    if (!s) return null;
    const dataset = makeDataset(s.dataset);
    const domain = plotDomain(dataset);
    return domain ? { dataset, domain } : null;
  }

  override render() {
    const s = this.snapshot;
    const plane = this.plane;
    if (!s || !plane) return nothing;
    const { dataset, domain } = plane;
    const d = this.drawn;
    const summary = d ? accuracySummary(d.train, d.test) : 'Drawing…';
    const [fx, fy] = dataset.featureNames;
    return html`
      <section class="panel" aria-labelledby="boundary-title">
        <h2 id="boundary-title">Decision boundary</h2>
        <figure>
          <div class="plot">
            <span class="axis y"><span>${fmtNumber(domain.y[1])}</span><span>${fy} ↑</span><span>${fmtNumber(domain.y[0])}</span></span>
            <canvas
              width=${CANVAS_SIZE}
              height=${CANVAS_SIZE}
              role="img"
              aria-label=${`The network's output over the plane of ${fx} and ${fy}. ${summary}.`}
            ></canvas>
            <span class="axis x"><span>${fmtNumber(domain.x[0])}</span><span>${fx} →</span><span>${fmtNumber(domain.x[1])}</span></span>
          </div>
          <figcaption data-testid="boundary-summary">${summary}</figcaption>
          <div class="legend">
            <span>ŷ 0<span class="swatch"></span>1</span>
            <span><span class="dot" style=${`background: ${scaleCss(1)}`}></span>label 1</span>
            <span><span class="dot" style=${`background: ${scaleCss(-1)}`}></span>label 0</span>
            <span>filled: train · <span class="dot" style=${`border: 2px solid ${scaleCss(-1)}`}></span>ring: test</span>
            <span><span class="dot" style="border: 3px solid #1f2328"></span>this pass</span>
          </div>
        </figure>
      </section>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    this.reflectDrawn();
    if (changed.has('snapshot')) this.scheduleDraw();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    // Drawn again from scratch if the element comes back.
    this.drawnKey = [];
  }

  /** At most one drawing per animation frame, whatever the rate of snapshots. */
  private scheduleDraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** What a drawing depends on: the network, the data, the parameters' tensors and the current pass. */
  private drawKey(s: Snapshot): unknown[] {
    const params = mlpLayout(s.network).parameters.map((name) => s.tensors[name]);
    return [s.network, s.dataset, s.sampleIndex, s.stage === 'idle', ...params];
  }

  private draw(): void {
    const s = this.snapshot;
    const plane = this.plane;
    const canvas = this.canvas;
    if (!s || !plane || !canvas) return;
    const key = this.drawKey(s);
    if (key.length === this.drawnKey.length && key.every((v, i) => v === this.drawnKey[i])) return;
    const grid = sharedHeatGrids.get(s.network, s.tensors, plane.domain);
    const params = paramsFromTensors(s.network, s.tensors);
    if (!grid || !params) return;
    this.drawnKey = key;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    this.paintHeat(ctx, grid);
    this.paintRows(ctx, s, plane.dataset, plane.domain);
    this.drawn = {
      train: accuracyOn(s.network, params, plane.dataset.train),
      test: accuracyOn(s.network, params, plane.dataset.test),
      ...landmarkClasses(grid),
    };
  }

  /** The grid as pixels, stretched so each grid point's colour sits exactly at its point of the plane. */
  private paintHeat(ctx: CanvasRenderingContext2D, grid: HeatGrid): void {
    const n = grid.resolution;
    this.heat.width = n;
    this.heat.height = n;
    const heatCtx = this.heat.getContext('2d');
    if (!heatCtx) return;
    const image = heatCtx.createImageData(n, n);
    paintPixels(grid, grid.outputs, OUTPUT_SCALE, { strength: HEAT_STRENGTH, out: image.data });
    heatCtx.putImageData(image, 0, 0);
    const cell = CANVAS_SIZE / (n - 1);
    ctx.imageSmoothingEnabled = true;
    ctx.clearRect(0, 0, CANVAS_SIZE, CANVAS_SIZE);
    ctx.drawImage(this.heat, 0, 0, n, n, -cell / 2, -cell / 2, CANVAS_SIZE + cell, CANVAS_SIZE + cell);
  }

  /** Dots: filled for training rows, rings for held-out rows, a black ring around this pass's rows. */
  private paintRows(ctx: CanvasRenderingContext2D, s: Snapshot, dataset: Dataset, domain: PlotDomain): void {
    const count = dataset.train.length + dataset.test.length;
    // Smaller dots when there are many, so the boundary still shows between them.
    const r = Math.max(2, Math.min(6, 6 * Math.sqrt(200 / Math.max(count, 1))));
    const colour = (label: number) => scaleCss(label >= 0.5 ? 1 : -1);
    for (const row of dataset.test) {
      const [px, py] = toPixel(domain, CANVAS_SIZE, row.x[0], row.x[1]);
      circle(ctx, px, py, r);
      ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
      ctx.fill();
      ctx.lineWidth = Math.max(1.5, r / 2);
      ctx.strokeStyle = colour(row.y);
      ctx.stroke();
    }
    for (const row of dataset.train) {
      const [px, py] = toPixel(domain, CANVAS_SIZE, row.x[0], row.x[1]);
      circle(ctx, px, py, r);
      ctx.fillStyle = colour(row.y);
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = '#fff';
      ctx.stroke();
    }
    for (const index of ringedRows(s)) {
      const row = dataset.train[index];
      if (!row) continue;
      const [px, py] = toPixel(domain, CANVAS_SIZE, row.x[0], row.x[1]);
      circle(ctx, px, py, r + 4);
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#1f2328';
      ctx.stroke();
    }
  }

  private reflectDrawn(): void {
    const d = this.drawn;
    const set = (name: string, value: string | null) => (value === null ? this.removeAttribute(name) : this.setAttribute(name, value));
    set('data-centre', d ? String(d.centre) : null);
    set('data-corners', d ? d.corners : null);
    set('data-train-accuracy', d?.train ? String(Math.round((100 * d.train.correct) / d.train.count)) : null);
    set('data-test-accuracy', d?.test ? String(Math.round((100 * d.test.correct) / d.test.count)) : null);
  }
}

/** The training rows of the pass under way (or about to start), when few enough to ring. */
function ringedRows(s: Snapshot): number[] {
  const pass = currentPass(snapshotNetwork(s));
  if (pass.count > MAX_RINGED_ROWS) return [];
  return Array.from({ length: pass.count }, (_, k) => pass.start + k);
}

function circle(ctx: CanvasRenderingContext2D, x: number, y: number, r: number): void {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
}

function fmtNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

declare global {
  interface HTMLElementTagNameMap {
    'decision-boundary': DecisionBoundary;
  }
}
