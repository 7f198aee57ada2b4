import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { datasetLabel } from '../../shared/datasets/spec.js';
import { binaryTargets, type MlpData } from '../../shared/engine/mlp/data.js';
import { predict } from '../../shared/engine/mlp/predict.js';
import { packedData } from '../../shared/lecture/setup.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { isNotebookDataset } from '../../shared/datasets/spec.js';
import { currentPass } from '../../shared/lecture/pass.js';
import { snapshotNetwork } from '../../shared/lecture/snapshot-network.js';
import { fmt, full } from '../lib/format.js';
import { buttonStyles, groupStyles, panelStyles } from '../lib/shared-styles.js';
import { snapshotParams } from '../lib/snapshot-network.js';

/** Rows per page: a big point set (up to 10,000 rows) is paged, never rendered whole. */
export const PAGE_ROWS = 50;

type Split = 'train' | 'test';

/** A feature or target as the table prints it: whole numbers as they are (the truth tables' 0 and 1), others at 4 decimals. */
const cell = (x: number) => (Number.isInteger(x) ? String(x).replace('-', '−') : fmt(x));

/**
 * The dataset's rows with the network's current prediction ŷ for each: any dataset, its
 * features, target and ŷ as columns. The rows of the pass under way (one row, or the batch)
 * are marked by ▶, aria-current and bold type, not only by their background. Big sets are paged
 * (the page holding the current row by default); held-out rows are shown apart, marked "test".
 */
@customElement('dataset-table')
export class DatasetTable extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;

  @state() private split: Split = 'train';
  /** The page chosen by hand; null follows the current row. */
  @state() private page: number | null = null;

  static override styles = [
    panelStyles,
    buttonStyles,
    groupStyles,
    css`
      /* A page of 50 rows scrolls inside the panel rather than stretching the column. */
      .scroll {
        overflow: auto;
        max-height: 28rem;
      }
      thead th {
        position: sticky;
        top: 0;
        background: var(--bg);
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
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.35rem 0.75rem;
        margin: 0 0 0.4rem;
        font-size: 0.9rem;
      }
      .pager {
        margin: 0.4rem 0 0;
      }
      button {
        font-size: 0.85rem;
        padding: 0.2rem 0.6rem;
        min-height: 2rem;
      }
      /* The pressed split reads as chosen, hovered or not (as the class bar's pacing buttons). */
      button[aria-pressed='true'],
      button[aria-pressed='true']:hover:not(:disabled) {
        background: var(--fg);
        color: #fff;
        border-color: var(--fg);
      }
      .test-mark {
        font-size: 0.75rem;
        font-weight: 700;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        color: var(--muted);
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    const before = changed.get('snapshot') as Snapshot | null | undefined;
    const s = this.snapshot;
    if (!s || before === undefined) return;
    // A new dataset starts over on its training rows; a moved pass brings its page back into view.
    if (before && before.dataset !== s.dataset) {
      this.split = 'train';
      this.page = null;
    } else if (before?.sampleIndex !== s.sampleIndex) {
      this.page = null;
    }
  }

  override render() {
    const s = this.snapshot;
    const params = s ? snapshotParams(s) : null;
    if (!s || !params) return nothing;
    const { dataset, train, test } = packedData(s.dataset);
    const notebook = isNotebookDataset(s.dataset);
    const split: Split = this.split === 'test' && test ? 'test' : 'train';
    const data = split === 'test' && test ? test : train;
    const pass = split === 'train' ? currentPass(snapshotNetwork(s)) : null;
    const pages = Math.ceil(data.count / PAGE_ROWS);
    const page = Math.min(pages - 1, this.page ?? (pass ? Math.floor(pass.start / PAGE_ROWS) : 0));
    const first = page * PAGE_ROWS;
    const last = Math.min(data.count, first + PAGE_ROWS);
    const outputs = predict(s.network, params, data.x.subarray(first * data.inputs, last * data.inputs)).outputs;
    const nOut = s.network.output.units;
    const classify = binaryTargets(data);
    const inPass = (i: number) => pass !== null && i >= pass.start && i < pass.start + pass.count;
    return html`
      <section class="panel" aria-labelledby="data-title">
        <h2 id="data-title">
          Dataset
          <span class="muted">${notebook ? '(y = X2 if X3 else X1)' : html`· <span data-testid="dataset-label">${datasetLabel(s.dataset)}</span>`}</span>
        </h2>
        ${notebook ? nothing : this.renderSizes(train, test)}
        <div class="scroll" tabindex="0" role="region" aria-label="Rows of the dataset">
          <table data-testid="dataset" data-split=${split}>
            <thead>
              <tr>
                <th scope="col"><span class="visually-hidden">Current</span></th>
                <th scope="col">#</th>
                ${dataset.featureNames.map((name) => html`<th scope="col">${name}</th>`)}
                <th scope="col">${dataset.targetName}</th>
                <th scope="col">ŷ</th>
                ${classify ? html`<th scope="col"><span class="visually-hidden">Right or wrong</span></th>` : nothing}
              </tr>
            </thead>
            <tbody>
              ${Array.from({ length: last - first }, (_, r) => {
                const i = first + r;
                const current = inPass(i);
                const y = data.y[i];
                const yHat = outputs[r * nOut];
                const right = (yHat >= 0.5 ? 1 : 0) === y;
                return html`<tr aria-current=${current ? 'true' : nothing} data-testid="${split === 'test' ? 'test-row' : 'row'}-${i}">
                  <td class="marker">${current ? this.marker(i === pass!.start, pass!.count) : ''}</td>
                  <td>${i}</td>
                  ${Array.from(data.x.subarray(i * data.inputs, (i + 1) * data.inputs), (x) => html`<td title=${full(x)}>${cell(x)}</td>`)}
                  <td>${cell(y)}</td>
                  <td title=${full(yHat)}>${fmt(yHat)}</td>
                  ${classify
                    ? html`<td class=${right ? 'right' : 'wrong'}>${right ? '✓' : '✗'}<span class="visually-hidden">${right ? ' right' : ' wrong'}</span></td>`
                    : nothing}
                </tr>`;
              })}
            </tbody>
          </table>
        </div>
        ${pages > 1 ? this.renderPager(page, pages, first, last, data.count, pass) : nothing}
      </section>
    `;
  }

  protected override updated(): void {
    // Only when the pass moved or the page changed: in between, the reader scrolls where they like.
    const now = { dataset: this.snapshot?.dataset, sampleIndex: this.snapshot?.sampleIndex, split: this.split, page: this.page };
    const was = this.shownAt;
    if (was && (Object.keys(now) as (keyof typeof now)[]).every((k) => now[k] === was[k])) return;
    this.shownAt = now;
    this.keepPassInView();
  }

  /** What the rows were brought into view for last. */
  private shownAt: { dataset: unknown; sampleIndex: unknown; split: Split; page: number | null } | null = null;

  /** The pass's first row in view inside the scrolling box (never scrolling the page itself). */
  private keepPassInView(): void {
    const box = this.renderRoot.querySelector<HTMLElement>('.scroll');
    const row = box?.querySelector<HTMLElement>('tr[aria-current]');
    if (!box || !row) return;
    const header = box.querySelector('thead')?.getBoundingClientRect().height ?? 0;
    const top = row.offsetTop - header;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (row.offsetTop + row.offsetHeight > box.scrollTop + box.clientHeight) box.scrollTop = row.offsetTop + row.offsetHeight - box.clientHeight;
  }

  /** The first row of the pass gets ▶; the batch's other rows a quieter mark. */
  private marker(first: boolean, rows: number) {
    if (rows === 1) return html`<span aria-hidden="true">▶</span><span class="visually-hidden">current sample</span>`;
    return html`<span aria-hidden="true">${first ? '▶' : '·'}</span><span class="visually-hidden">in the current batch</span>`;
  }

  /** How many rows train and how many are held out, with the switch between them. */
  private renderSizes(train: MlpData, test: MlpData | null) {
    const split = this.split === 'test' && test ? 'test' : 'train';
    const choose = (next: Split) => {
      this.split = next;
      this.page = null;
    };
    return html`<div class="bar">
      <span data-testid="dataset-size">${train.count} training row${train.count === 1 ? '' : 's'}${test ? html` · ${test.count} held out for testing` : nothing}</span>
      ${test
        ? html`<span class="group" role="group" aria-label="Rows shown">
            <button aria-pressed=${split === 'train'} data-testid="dataset-show-train" @click=${() => choose('train')}>train</button>
            <button aria-pressed=${split === 'test'} data-testid="dataset-show-test" @click=${() => choose('test')}>test</button>
          </span>`
        : nothing}
      ${split === 'test' ? html`<span class="test-mark" data-testid="dataset-test-mark">test rows · never trained on</span>` : nothing}
    </div>`;
  }

  private renderPager(page: number, pages: number, first: number, last: number, count: number, pass: { start: number } | null) {
    const go = (p: number) => (this.page = Math.max(0, Math.min(pages - 1, p)));
    const passPage = pass ? Math.floor(pass.start / PAGE_ROWS) : null;
    return html`<div class="bar pager" role="group" aria-label="Pages of rows" data-testid="dataset-pager">
      <button ?disabled=${page === 0} data-testid="dataset-prev" @click=${() => go(page - 1)} aria-label="Previous rows">◀</button>
      <span data-testid="dataset-range" aria-live="polite">rows ${first}–${last - 1} of ${count}</span>
      <button ?disabled=${page === pages - 1} data-testid="dataset-next" @click=${() => go(page + 1)} aria-label="Next rows">▶</button>
      ${passPage !== null && passPage !== page
        ? html`<button data-testid="dataset-current" @click=${() => (this.page = null)}>current row</button>`
        : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dataset-table': DatasetTable;
  }
}
