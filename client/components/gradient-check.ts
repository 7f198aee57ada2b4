import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { parameterCount } from '../../shared/engine/mlp/config.js';
import { mlpGradientCheck, type MlpGradientCheck } from '../../shared/engine/mlp/gradcheck.js';
import { packedData } from '../../shared/lecture/setup.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { currentPass } from '../../shared/lecture/pass.js';
import { snapshotNetwork } from '../../shared/lecture/snapshot-network.js';
import { affordableRows } from '../lib/gradient-budget.js';
import { fmt, full } from '../lib/format.js';
import { unflatten, weightLabel } from '../lib/names.js';
import { panelStyles, scrollCueStyles } from '../lib/shared-styles.js';
import { snapshotParams } from '../lib/snapshot-network.js';

const sci = (x: number) => (x === 0 ? '0' : x.toExponential(1).replace('-', '−'));
/** Central differences agree with backprop to about h² ≈ 1e-10; anything near 1e-6 is a bug. */
const AGREE = 1e-6;
/** The finite difference's step (the engine's default, named here so a folded check can say it). */
const H = 1e-5;
/** More elements than this and the element table starts closed. */
const OPEN_ROWS = 64;
/** The one-column page (lecture-view's breakpoint): a phone, where the check starts folded. */
const NARROW = '(max-width: 900px)';

interface CheckRow {
  readonly name: string;
  readonly analytic: number;
  readonly numeric: number;
  readonly relative: number;
  readonly kink: boolean;
}

/** Rows of the pass the check uses, and how many the pass has. */
interface CheckSpan {
  readonly start: number;
  readonly count: number;
  readonly passCount: number;
}

interface CheckView extends CheckSpan {
  readonly check: MlpGradientCheck;
  readonly rows: readonly CheckRow[];
}

function relativeDifference(a: number, n: number): number {
  return Math.abs(a - n) / Math.max(1, Math.abs(a), Math.abs(n));
}

/**
 * Backprop's gradient beside the finite-difference estimate, for every parameter, on the rows of
 * the pass under way (the mean loss over a batch's rows).
 */
@customElement('gradient-check')
export class GradientCheckPanel extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;

  /** The check is unfolded: at first on wide screens, then as the student leaves it. */
  @state() private open = !matchMedia(NARROW).matches;

  /** A check is hundreds of forward passes: done again only when the weights, rows or network change. */
  private memo: { key: readonly unknown[]; value: CheckView | null } | null = null;

  static override styles = [
    scrollCueStyles,
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
      table.summary {
        width: auto;
        margin: 0 0 0.5rem;
      }
      details summary {
        cursor: pointer;
        margin-bottom: 0.25rem;
        min-height: 1.5rem;
      }
      .fold > summary h2 {
        display: inline;
      }
    `,
  ];

  private checked(s: Snapshot): CheckView | null {
    const params = snapshotParams(s);
    const key = [s.network, s.dataset, s.sampleIndex, ...(params ? [...params.weights, ...(params.biases ?? [])] : [])];
    const memo = this.memo;
    if (memo && memo.key.length === key.length && memo.key.every((k, i) => k === key[i])) return memo.value;
    let value: CheckView | null = null;
    if (params) {
      const span = this.spanOf(s);
      const check = mlpGradientCheck(s.network, params, packedData(s.dataset).train, { start: span.start, count: span.count, h: H });
      value = { check, rows: this.rowsOf(s, check), ...span };
    }
    this.memo = { key, value };
    return value;
  }

  private spanOf(s: Snapshot): CheckSpan {
    const pass = currentPass(snapshotNetwork(s));
    return { start: pass.start, count: affordableRows(parameterCount(s.network), pass.count), passCount: pass.count };
  }

  private rowsOf(s: Snapshot, check: MlpGradientCheck): CheckRow[] {
    const kinks = new Set(check.kinks);
    return check.parameters.flatMap((p) => {
      const shape = s.tensors[p.name].shape;
      return p.analytic.map((a, k) => ({
        name: weightLabel(s.network, p.name, unflatten(shape, k)),
        analytic: a,
        numeric: p.numeric[k],
        relative: relativeDifference(a, p.numeric[k]),
        kink: kinks.has(`${p.name}[${k}]`),
      }));
    });
  }

  /** Folded (a phone's default), the check is not run: hundreds of forward passes nobody looks at. */
  override render() {
    const s = this.snapshot;
    if (!s || !snapshotParams(s)) return nothing;
    const view = this.open ? this.checked(s) : null;
    return html`
      <section class="panel" aria-labelledby="gc-title">
        <details class="fold" data-testid="gradcheck-fold" ?open=${this.open} @toggle=${(e: Event) => (this.open = (e.target as HTMLDetailsElement).open)}>
        <summary><h2 id="gc-title">Gradient check <span class="muted">(${this.describeRows(this.spanOf(s))}, h = ${H})</span></h2></summary>
        ${view ? this.renderCheck(s, view) : nothing}
        </details>
      </section>
    `;
  }

  private renderCheck(s: Snapshot, view: CheckView) {
    const { check, rows } = view;
    // At a ReLU kink the finite difference is no derivative: those rows do not count against backprop.
    const worst = rows.reduce((m, r) => (r.kink ? m : Math.max(m, r.relative)), 0);
    const kinks = rows.filter((r) => r.kink).length;
    const ok = worst < AGREE;
    return html`
        <p>
          max relative difference =
          <span class="num" data-testid="gradcheck-max" title="|backprop − finite difference| / max(1, |backprop|, |finite difference|)">${sci(check.maxRelDifference)}</span>
          <span class="verdict ${ok ? 'ok' : 'bad'}">${ok ? '✓ they agree' : '✗ they differ'}</span>
        </p>
        ${kinks
          ? html`<p class="muted" data-testid="gradcheck-kinks">${kinks} weight${kinks === 1 ? '' : 's'} (marked ⌇) sit at a ReLU kink, where h switches a unit on or off: there the finite difference is not a derivative, so they are left out of the verdict.</p>`
          : nothing}
        ${check.parameters.length > 2 ? this.renderSummary(check) : nothing}
        <details ?open=${rows.length <= OPEN_ROWS}>
          <summary>Every ${s.network.biases ? 'parameter' : 'weight'}${rows.length > OPEN_ROWS ? ` (${rows.length})` : ''}</summary>
          <div class="scroll scroll-cue" tabindex="0" role="region" aria-label="Gradient check table">
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
                    <th scope="row">${r.name}${r.kink ? html` <span title="at a ReLU kink">⌇</span>` : nothing}</th>
                    <td title=${full(r.analytic)}>${fmt(r.analytic, 6)}</td>
                    <td title=${full(r.numeric)}>${fmt(r.numeric, 6)}</td>
                    <td>${sci(Math.abs(r.analytic - r.numeric))}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>
        </details>
    `;
  }

  /** "sample 3", "rows 10–19 of the batch", "the first 12 of the batch's 500 rows (from row 0)". */
  private describeRows({ start, count, passCount }: CheckSpan): string {
    if (passCount === 1) return `sample ${start}`;
    if (count === passCount) return `rows ${start}–${start + count - 1}, the batch's mean loss`;
    return `rows ${start}–${start + count - 1}: the first ${count} of the batch's ${passCount}, to stay quick`;
  }

  /** One line per parameter tensor: its largest relative difference. */
  private renderSummary(check: MlpGradientCheck) {
    return html`<table class="summary" data-testid="gradcheck-summary">
      <thead><tr><th scope="col">parameter</th><th scope="col">max relative difference</th></tr></thead>
      <tbody>
        ${check.parameters.map(
          (p) => html`<tr>
            <th scope="row">${p.name}</th>
            <td>${sci(p.analytic.reduce((m, a, k) => Math.max(m, relativeDifference(a, p.numeric[k])), 0))}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gradient-check': GradientCheckPanel;
  }
}
