import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { NOTEBOOK_SAMPLES, predictAll, type Snapshot } from '../../shared/index.js';
import { fmt, full } from '../lib/format.js';
import { panelStyles } from '../lib/shared-styles.js';

/**
 * The notebook's 8 rows with the network's current prediction ŷ for each. The current sample
 * is marked by ▶, aria-current and bold type, not only by its background.
 */
@customElement('dataset-table')
export class DatasetTable extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;

  static override styles = [
    panelStyles,
    css`
      .scroll {
        overflow-x: auto;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        font-size: 0.9rem;
      }
      th,
      td {
        padding: 0.2rem 0.45rem;
        text-align: right;
        border-bottom: 1px solid var(--border);
        white-space: nowrap;
      }
      th {
        font-weight: 650;
      }
      td {
        font-family: var(--mono);
        font-variant-numeric: tabular-nums;
      }
      tr[aria-current] td {
        background: var(--forward-bg);
        font-weight: 700;
      }
      .marker {
        width: 1.2em;
        text-align: center;
      }
      .right {
        color: var(--ok);
      }
      .wrong {
        color: var(--danger);
      }
    `,
  ];

  override render() {
    const s = this.snapshot;
    if (!s?.tensors.W || !s.tensors.V) return nothing;
    const predictions = predictAll(s.tensors.W.data, s.tensors.V.data);
    return html`
      <section class="panel" aria-labelledby="data-title">
        <h2 id="data-title">Dataset <span class="muted">(y = X2 if X3 else X1)</span></h2>
        <div class="scroll">
          <table data-testid="dataset">
            <thead>
              <tr>
                <th scope="col"><span class="visually-hidden">Current</span></th>
                <th scope="col">#</th>
                <th scope="col">X1</th>
                <th scope="col">X2</th>
                <th scope="col">X3</th>
                <th scope="col">y</th>
                <th scope="col">ŷ</th>
                <th scope="col"><span class="visually-hidden">Right or wrong</span></th>
              </tr>
            </thead>
            <tbody>
              ${NOTEBOOK_SAMPLES.map((sample, i) => {
                const current = i === s.sampleIndex;
                const right = (predictions[i] >= 0.5 ? 1 : 0) === sample.y;
                return html`<tr aria-current=${current ? 'true' : nothing} data-testid="row-${i}">
                  <td class="marker">${current ? html`<span aria-hidden="true">▶</span><span class="visually-hidden">current sample</span>` : ''}</td>
                  <td>${i}</td>
                  ${sample.x.map((x) => html`<td>${x}</td>`)}
                  <td>${sample.y}</td>
                  <td title=${full(predictions[i])}>${fmt(predictions[i])}</td>
                  <td class=${right ? 'right' : 'wrong'}>${right ? '✓' : '✗'}<span class="visually-hidden">${right ? ' right' : ' wrong'}</span></td>
                </tr>`;
              })}
            </tbody>
          </table>
        </div>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dataset-table': DatasetTable;
  }
}
