import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { gradientCheck, NOTEBOOK_SAMPLES, TENSOR_SHAPES, type Snapshot } from '../../shared/index.js';
import { fmt, full } from '../lib/format.js';
import { panelStyles } from '../lib/shared-styles.js';

const sci = (x: number) => (x === 0 ? '0' : x.toExponential(1).replace('-', '−'));
/** Central differences agree with backprop to about h² ≈ 1e-10; anything near 1e-6 is a bug. */
const AGREE = 1e-6;

/** Backprop's gradient beside the finite-difference estimate, for every weight, on the current sample. */
@customElement('gradient-check')
export class GradientCheckPanel extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;

  static override styles = [
    panelStyles,
    css`
      .scroll {
        overflow-x: auto;
        max-height: 22rem;
        overflow-y: auto;
      }
      table {
        border-collapse: collapse;
        font-size: 0.85rem;
        width: 100%;
      }
      th,
      td {
        padding: 0.15rem 0.4rem;
        text-align: right;
        white-space: nowrap;
        border-bottom: 1px solid var(--border);
      }
      td {
        font-family: var(--mono);
        font-variant-numeric: tabular-nums;
      }
      thead th {
        position: sticky;
        top: 0;
        background: var(--bg);
      }
      .verdict {
        font-weight: 700;
      }
      .ok {
        color: var(--ok);
      }
      .bad {
        color: var(--danger);
      }
      details summary {
        cursor: pointer;
        margin-bottom: 0.25rem;
      }
    `,
  ];

  override render() {
    const s = this.snapshot;
    if (!s?.tensors.W || !s.tensors.V) return nothing;
    const check = gradientCheck(s.tensors.W.data, s.tensors.V.data, NOTEBOOK_SAMPLES[s.sampleIndex]);
    const cols = TENSOR_SHAPES.W[1];
    const rows = [
      ...check.W.analytic.map((a, k) => ({ name: `W${Math.floor(k / cols) + 1}${(k % cols) + 1}`, a, n: check.W.numeric[k] })),
      ...check.V.analytic.map((a, k) => ({ name: `V${k + 1}`, a, n: check.V.numeric[k] })),
    ];
    const ok = check.maxAbsDifference < AGREE;
    return html`
      <section class="panel" aria-labelledby="gc-title">
        <h2 id="gc-title">Gradient check <span class="muted">(sample ${s.sampleIndex}, h = ${check.h})</span></h2>
        <p>
          max |backprop − finite difference| =
          <span class="num" data-testid="gradcheck-max">${sci(check.maxAbsDifference)}</span>
          <span class="verdict ${ok ? 'ok' : 'bad'}">${ok ? '✓ they agree' : '✗ they differ'}</span>
        </p>
        <details open>
          <summary>Every weight</summary>
          <div class="scroll" tabindex="0" role="region" aria-label="Gradient check table">
            <table>
              <thead>
                <tr>
                  <th scope="col">weight</th>
                  <th scope="col">backprop ∂L/∂w</th>
                  <th scope="col">(L(w+h) − L(w−h)) / 2h</th>
                  <th scope="col">|diff|</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  (r) => html`<tr>
                    <th scope="row">${r.name}</th>
                    <td title=${full(r.a)}>${fmt(r.a, 6)}</td>
                    <td title=${full(r.n)}>${fmt(r.n, 6)}</td>
                    <td>${sci(Math.abs(r.a - r.n))}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>
        </details>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gradient-check': GradientCheckPanel;
  }
}
