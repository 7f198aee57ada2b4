import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { makeDataset } from '../../shared/datasets/spec.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { activationScale, paintPixels, plotDomain, sharedHeatGrids, type HeatGrid, type ValueScale } from '../lib/heatmap.js';
import { panelStyles, swatchStyles } from '../lib/shared-styles.js';

/** One hidden neuron: layer l (1-based, as the names A1, A2, … count) and unit u (0-based, as indices do). */
interface Neuron {
  readonly layer: number;
  readonly unit: number;
}

const sameNeuron = (a: Neuron | null, b: Neuron | null) => a?.layer === b?.layer && a?.unit === b?.unit;

/**
 * What each hidden neuron computes over the input plane: one small heatmap per neuron, a row per
 * hidden layer, on the diverging scale (its range per activation is in the legend). Hovering a
 * map with a mouse, or choosing it (click, tap, Enter), shows it large below; hover only follows
 * a mouse, so a tap does not leave a hover behind. Only for two-feature data.
 */
@customElement('neuron-maps')
export class NeuronMaps extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;

  @state() private hovered: Neuron | null = null;
  @state() private chosen: Neuron | null = null;

  private frame = 0;
  private drawn: { grid: HeatGrid | null; shown: Neuron | null } = { grid: null, shown: null };

  static override styles = [
    panelStyles,
    swatchStyles,
    css`
      .layer {
        display: grid;
        grid-template-columns: 4.5rem minmax(0, 1fr);
        gap: 0.4rem;
        align-items: start;
        margin-bottom: 0.4rem;
      }
      .layer-name {
        font-size: 0.8rem;
        color: var(--muted);
        padding-top: 0.2rem;
      }
      .tiles {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem;
      }
      button {
        padding: 0;
        border: 2px solid var(--border);
        border-radius: 0.25rem;
        background: none;
        cursor: zoom-in;
        line-height: 0;
      }
      button[aria-pressed='true'] {
        border-color: var(--fg);
      }
      canvas {
        width: 2.75rem;
        height: 2.75rem;
        display: block;
      }
      .large {
        display: grid;
        grid-template-columns: minmax(0, 14rem) minmax(0, 1fr);
        gap: 0.75rem;
        align-items: start;
        margin-top: 0.5rem;
      }
      .large canvas {
        width: 100%;
        height: auto;
        aspect-ratio: 1;
        border: 1px solid var(--border);
        border-radius: 0.25rem;
      }
      .legend {
        margin: 0.4rem 0 0;
        padding: 0;
        list-style: none;
        font-size: 0.8rem;
        color: var(--muted);
      }
      .hint {
        font-size: 0.8rem;
        color: var(--muted);
        margin: 0 0 0.4rem;
      }
      @media (max-width: 480px) {
        .large {
          grid-template-columns: minmax(0, 1fr);
        }
      }
    `,
  ];

  private get visible(): boolean {
    const s = this.snapshot;
    return s !== null && plotDomain(makeDataset(s.dataset)) !== null;
  }

  private get shown(): Neuron | null {
    return this.hovered ?? this.chosen;
  }

  override render() {
    const s = this.snapshot;
    if (!s || !this.visible) return nothing;
    const layout = mlpLayout(s.network);
    const hidden = s.network.hidden;
    const shown = this.shown;
    return html`
      <section class="panel" aria-labelledby="neurons-title">
        <h2 id="neurons-title">Hidden neurons over the plane</h2>
        <p class="hint">Each map is one neuron's activation at every point of the plane. Hover or choose one to enlarge it.</p>
        ${hidden.map(
          (h, i) => html`<div class="layer" role="group" aria-label=${`Layer ${i + 1}, ${h.activation}`}>
            <span class="layer-name">${layout.layers[i].A} · ${h.activation}</span>
            <div class="tiles">
              ${Array.from({ length: h.units }, (_, u) => this.renderTile({ layer: i + 1, unit: u }, `${layout.layers[i].A}[${u}]`))}
            </div>
          </div>`,
        )}
        ${shown ? this.renderLarge(shown, `${layout.layers[shown.layer - 1].A}[${shown.unit}]`) : nothing}
        <ul class="legend" data-testid="neuron-legend">
          <li><span class="swatch"></span> low · middle · high, per activation:</li>
          ${hidden.map((h, i) => html`<li>${layout.layers[i].A}: ${this.scaleText(i, h.activation)}</li>`)}
        </ul>
      </section>
    `;
  }

  private renderTile(neuron: Neuron, name: string) {
    const chosen = sameNeuron(neuron, this.chosen);
    return html`<button
      aria-pressed=${chosen ? 'true' : 'false'}
      aria-label=${`${name}: enlarge`}
      title=${name}
      data-testid=${`neuron-${neuron.layer}-${neuron.unit}`}
      @click=${() => (this.chosen = chosen ? null : neuron)}
      @pointerenter=${(e: PointerEvent) => e.pointerType === 'mouse' && (this.hovered = neuron)}
      @pointerleave=${(e: PointerEvent) => e.pointerType === 'mouse' && (this.hovered = null)}
    >
      <canvas class="tile" data-layer=${neuron.layer} data-unit=${neuron.unit}></canvas>
    </button>`;
  }

  private renderLarge(neuron: Neuron, name: string) {
    const activation = this.snapshot!.network.hidden[neuron.layer - 1].activation;
    return html`<div class="large" data-testid="neuron-large">
      <canvas class="enlarged" role="img" aria-label=${`${name}, the ${activation} activation of neuron ${neuron.unit} of layer ${neuron.layer}, over the plane`}></canvas>
      <p><strong>${name}</strong>: neuron ${neuron.unit} of hidden layer ${neuron.layer} (${activation}).<br />
        ${this.scaleText(neuron.layer - 1, activation)}</p>
    </div>`;
  }

  /** The legend's words for a layer's scale (relu and linear depend on the current values). */
  private scaleText(layerIndex: number, activation: Parameters<typeof activationScale>[0]): string {
    const grid = this.drawn.grid;
    return activationScale(activation, grid?.hidden[layerIndex] ?? []).text;
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (changed.has('snapshot') || changed.has('hovered') || changed.has('chosen')) this.scheduleDraw();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.drawn = { grid: null, shown: null };
  }

  private scheduleDraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const s = this.snapshot;
    if (!s) return;
    const domain = plotDomain(makeDataset(s.dataset));
    if (!domain) return;
    const grid = sharedHeatGrids.get(s.network, s.tensors, domain);
    if (!grid) return;
    const shown = this.shown;
    if (grid === this.drawn.grid && sameNeuron(shown, this.drawn.shown)) return;
    const newValues = grid !== this.drawn.grid;
    this.drawn = { grid, shown };
    const scales = s.network.hidden.map((h, i) => activationScale(h.activation, grid.hidden[i]));
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas.tile')) {
      paintNeuron(canvas, grid, Number(canvas.dataset.layer), Number(canvas.dataset.unit), scales);
    }
    const large = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.enlarged');
    if (large && shown) paintNeuron(large, grid, shown.layer, shown.unit, scales);
    // relu and linear legends quote the current largest value.
    if (newValues) this.requestUpdate();
  }
}

function paintNeuron(canvas: HTMLCanvasElement, grid: HeatGrid, layer: number, unit: number, scales: readonly ValueScale[]): void {
  const values = grid.hidden[layer - 1];
  if (!values) return;
  const n = grid.resolution;
  if (canvas.width !== n) canvas.width = n;
  if (canvas.height !== n) canvas.height = n;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(n, n);
  paintPixels(grid, values, scales[layer - 1], { stride: grid.units[layer - 1], offset: unit, out: image.data });
  ctx.putImageData(image, 0, 0);
}

declare global {
  interface HTMLElementTagNameMap {
    'neuron-maps': NeuronMaps;
  }
}
