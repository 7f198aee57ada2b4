import { LitElement, css, html, svg, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { stagePhase, stagePosition, STAGES, type Snapshot, type TensorName } from '../../shared/index.js';
import { elementKey } from '../lib/collab.js';
import { diverging, maxAbs } from '../lib/colors.js';
import { fmt, full } from '../lib/format.js';
import { panelStyles } from '../lib/shared-styles.js';

// Geometry in viewBox units. Compact (520 wide) so that text stays legible on a 375 px phone.
const VIEW_W = 520;
const VIEW_H = 330;
const IN = { x: 6, w: 78, h: 42, ys: [85, 165, 245] };
const HID = { x: 196, w: 132, h: 56, ys: [45, 125, 205, 285] };
const OUT = { x: 402, w: 112, h: 56, y: 125 };
const LOSS = { x: 402, w: 112, h: 56, y: 245 };

type NodeId = 'A' | 'B' | 'C' | 'L';

/** Which part of the diagram the stage just computed: that part is outlined. */
const STAGE_NODES: Record<string, NodeId | 'V' | 'W' | 'WV'> = {
  input: 'A',
  B: 'B',
  B_act: 'B',
  C: 'C',
  C_act: 'C',
  L: 'L',
  dL_dC_act: 'C',
  dC_act_dC: 'C',
  dL_dV: 'V',
  dL_dB_act: 'B',
  dB_act_dB: 'B',
  dL_dB: 'B',
  dL_dW: 'W',
  update: 'WV',
};

const sub = (k: number) => String.fromCharCode(0x2080 + k);

/**
 * The 3-4-1 network as the notebook draws it. Edge colour is the sign and size of the weight
 * on the shared diverging scale, width its magnitude. In the backward pass the edges show the
 * gradient instead (once computed), with arrowheads pointing back towards the inputs.
 */
@customElement('nn-diagram')
export class NnDiagram extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  /** Instructor: flags per key; a node shows the sum over the elements it stands for. */
  @property({ attribute: false }) flagCounts: Readonly<Record<string, number>> | null = null;

  static override styles = [
    panelStyles,
    css`
      svg {
        display: block;
        width: 100%;
        height: auto;
        max-height: var(--diagram-max-height, 70vh);
        font-family: var(--mono);
      }
      .node rect {
        fill: var(--bg);
        stroke: #6e7781;
        stroke-width: 1.5;
      }
      .node.pending text.value {
        fill: #8c959f;
      }
      .node.hot rect {
        stroke: var(--accent, var(--forward));
        stroke-width: 4;
      }
      .hot-tag {
        fill: var(--accent, var(--forward));
        font-size: 13px;
        font-weight: 700;
        font-family: system-ui, sans-serif;
      }
      .node .flag-badge rect {
        fill: var(--flag);
        stroke: none;
      }
      .flag-badge text {
        fill: #fff;
        font-size: 13px;
        font-weight: 700;
        font-family: system-ui, sans-serif;
      }
      .node.flagged rect.box,
      .node.flagged.hot rect.box {
        stroke: var(--flag);
        stroke-width: 3;
        stroke-dasharray: 6 3;
      }
      text {
        font-size: 16px;
        fill: var(--fg);
      }
      text.name {
        font-weight: 700;
        font-family: system-ui, sans-serif;
      }
      .edge-label {
        font-size: 12px;
        fill: var(--muted);
      }
      .caption {
        font-size: 0.85rem;
        margin: 0.25rem 0 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        align-items: center;
      }
      .scale {
        display: inline-flex;
        align-items: center;
        gap: 0.3rem;
      }
      .scale i {
        display: inline-block;
        width: 5rem;
        height: 0.7rem;
        border: 1px solid var(--border);
        background: linear-gradient(to right, #2166ac, #fff, #e66101);
      }
    `,
  ];

  override render() {
    const s = this.snapshot;
    if (!s) return nothing;
    const at = stagePosition(s.stage);
    const phase = s.stage === 'idle' ? null : stagePhase(s.stage);
    const backward = phase === 'backward';
    const accent = phase === 'backward' ? 'var(--backward)' : phase === 'update' ? 'var(--update)' : 'var(--forward)';
    const hot = s.stage === 'idle' ? null : STAGE_NODES[s.stage];
    const W = s.tensors.W?.data ?? [];
    const V = s.tensors.V?.data ?? [];
    const dW = backward ? s.tensors.dL_dW?.data : undefined;
    const dV = backward ? s.tensors.dL_dV?.data : undefined;
    const wMax = Math.max(maxAbs(W), maxAbs(V), 1e-9);
    const gMax = Math.max(maxAbs(dW ?? []), maxAbs(dV ?? []), 1e-9);
    const has = (name: TensorName) => s.tensors[name] !== undefined;
    const v = (name: TensorName, k = 0) => (has(name) ? fmt(s.tensors[name]!.data[k]) : '…');

    const edge = (x1: number, y1: number, x2: number, y2: number, weight: number, grad: number | undefined, label: string, hotEdge: boolean) => {
      const showGrad = grad !== undefined;
      const value = showGrad ? grad : weight;
      const max = showGrad ? gMax : wMax;
      const width = 1 + 6 * Math.min(1, Math.abs(value) / max);
      // Faded while the backward pass has not reached this layer's gradient yet.
      const opacity = backward && !showGrad ? 0.3 : 1;
      const title = showGrad ? `∂L/∂${label} = ${full(grad)} (weight ${full(weight)})` : `${label} = ${full(weight)}`;
      return svg`<g class="edge" data-edge=${label}>
        <title>${title}</title>
        <line x1=${x1} y1=${y1} x2=${x2} y2=${y2} stroke="#d0d7de" stroke-width="1"></line>
        <line x1=${x1} y1=${y1} x2=${x2} y2=${y2} stroke=${diverging(value, max)} stroke-width=${width} stroke-opacity=${opacity}
          stroke-dasharray=${hotEdge ? '10 4' : nothing}
          marker-start=${showGrad ? 'url(#back-arrow)' : nothing}></line>
      </g>`;
    };

    const node = (id: string, x: number, cy: number, w: number, h: number, lines: [string, string][], isHot: boolean, pending: boolean) => {
      const y = cy - h / 2;
      const flags = this.nodeFlags(id);
      return svg`<g class="node ${isHot ? 'hot' : ''} ${pending ? 'pending' : ''} ${flags ? 'flagged' : ''}" data-node=${id}>
        <rect class="box" x=${x} y=${y} width=${w} height=${h} rx="8"></rect>
        ${flags
          ? svg`<g class="flag-badge" data-testid="flag-node-${id}"><title>${flags} flag${flags > 1 ? 's' : ''}: lost here</title>
              <rect x=${x + w - 30} y=${y - 9} width="36" height="18" rx="9"></rect>
              <text x=${x + w - 12} y=${y + 5} text-anchor="middle">⚑${flags}</text></g>`
          : nothing}
        ${lines.map(
          ([name, value], k) => svg`<text x=${x + 8} y=${y + (lines.length === 1 ? h / 2 + 5 : 22 + k * 20)}>
            <tspan class="name">${name}</tspan><tspan class="value" x=${x + w - 8} text-anchor="end">${value}</tspan></text>`,
        )}
        ${isHot ? svg`<text class="hot-tag" x=${x + w / 2} y=${y - 5} text-anchor="middle">◆ new</text>` : nothing}
      </g>`;
    };

    const hotW = hot === 'W' || hot === 'WV';
    const hotV = hot === 'V' || hot === 'WV';
    return html`
      <section class="panel" style="--accent:${accent}" aria-labelledby="diagram-title">
        <h2 id="diagram-title">Network</h2>
        <svg viewBox="0 0 ${VIEW_W} ${VIEW_H}" role="img" aria-label=${this.describe(s)}>
          <defs>
            <marker id="back-arrow" viewBox="0 0 10 10" refX="0" refY="5" markerWidth="4" markerHeight="4" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="var(--backward)"></path>
            </marker>
            <marker id="down-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#6e7781"></path>
            </marker>
          </defs>
          ${IN.ys.flatMap((ya, i) =>
            HID.ys.map((yb, j) =>
              edge(IN.x + IN.w, ya, HID.x, yb, W[i * 4 + j] ?? 0, dW?.[i * 4 + j], `W${sub(i + 1)}${sub(j + 1)}`, hotW),
            ),
          )}
          ${HID.ys.map((yb, j) => edge(HID.x + HID.w, yb, OUT.x, OUT.y, V[j] ?? 0, dV?.[j], `V${sub(j + 1)}`, hotV))}
          <line x1=${OUT.x + OUT.w / 2} y1=${OUT.y + OUT.h / 2} x2=${LOSS.x + LOSS.w / 2} y2=${LOSS.y - LOSS.h / 2 - 2}
            stroke="#6e7781" stroke-width="1.5" marker-end="url(#down-arrow)"></line>
          ${IN.ys.map((y, i) => node(`A${i + 1}`, IN.x, y, IN.w, IN.h, [[`A${sub(i + 1)}`, has('A') ? String(s.tensors.A!.data[i]) : '…']], hot === 'A', !has('A')))}
          ${HID.ys.map((y, j) =>
            node(
              `B${j + 1}`,
              HID.x,
              y,
              HID.w,
              HID.h,
              backward && has('dL_dB_act')
                ? [[`∂B${sub(j + 1)}`, v('dL_dB', j) === '…' ? v('dL_dB_act', j) : v('dL_dB', j)], [`σ${sub(j + 1)}`, v('B_act', j)]]
                : [[`B${sub(j + 1)}`, v('B', j)], [`σ${sub(j + 1)}`, v('B_act', j)]],
              hot === 'B',
              !has('B'),
            ),
          )}
          ${node('C', OUT.x, OUT.y, OUT.w, OUT.h, [['C', v('C')], ['σ', v('C_act')]], hot === 'C', !has('C'))}
          ${node('L', LOSS.x, LOSS.y, LOSS.w, LOSS.h, [['L', v('L')], ['y', has('y') ? String(s.tensors.y!.data[0]) : '…']], hot === 'L', !has('L'))}
          ${hotV ? svg`<text class="hot-tag" x=${(HID.x + HID.w + OUT.x) / 2} y="20" text-anchor="middle">◆ V</text>` : nothing}
          ${hotW ? svg`<text class="hot-tag" x=${(IN.x + IN.w + HID.x) / 2} y="20" text-anchor="middle">◆ W</text>` : nothing}
        </svg>
        <p class="caption">
          <span class="scale"><span aria-hidden="true">−</span><i aria-hidden="true"></i><span aria-hidden="true">+</span>
            ${backward ? 'edges: gradient ∂L/∂W, ∂L/∂V (colour = sign, width = size)' : 'edges: weight (colour = sign, width = size)'}</span>
          ${backward ? html`<span><span aria-hidden="true">◀</span> gradients flow backward</span>` : nothing}
          <span>σ = activation; hidden rows show ${backward && has('dL_dB_act') ? '∂L/∂B (or ∂L/∂B_act)' : 'B'} and B_act</span>
        </p>
      </section>
    `;
  }

  /** Flags on the elements a node shows: A₁ → A[0]; hidden unit j → B, B_act and their gradients at j; C; L. */
  private nodeFlags(id: string): number {
    const counts = this.flagCounts;
    if (!counts) return 0;
    const j = Number(id.slice(1)) - 1;
    const keys =
      id[0] === 'A'
        ? [elementKey('A', [j])]
        : id[0] === 'B'
          ? (['B', 'B_act', 'dL_dB_act', 'dB_act_dB', 'dL_dB'] as const).map((t) => elementKey(t, [j]))
          : id === 'C'
            ? (['C', 'C_act', 'dL_dC_act', 'dC_act_dC'] as const).map((t) => elementKey(t, [0]))
            : [elementKey('L', [0]), elementKey('y', [0])];
    return keys.reduce((sum, k) => sum + (counts[k] ?? 0), 0);
  }

  private describe(s: Snapshot): string {
    const done = s.stage === 'idle' ? 'no stage computed yet' : `stage ${STAGES[stagePosition(s.stage)]} just computed`;
    return `Network diagram: 3 inputs, 4 hidden units, 1 output; ${done}. Values are listed in the tensors panel.`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nn-diagram': NnDiagram;
  }
}
