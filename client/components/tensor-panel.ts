import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { PropertyValues } from 'lit';
import type { Snapshot, TensorName } from '../../shared/index.js';
import type { FlagView } from '../lib/collab.js';
import { panelStyles } from '../lib/shared-styles.js';
import './tensor-card.js';

const GROUPS: { label: string; names: TensorName[] }[] = [
  { label: 'Input and weights', names: ['A', 'y', 'W', 'V'] },
  { label: 'Forward', names: ['B', 'B_act', 'C', 'C_act', 'L'] },
  { label: 'Backward', names: ['dL_dC_act', 'dC_act_dC', 'dL_dV', 'dL_dB_act', 'dB_act_dB', 'dL_dB', 'dL_dW'] },
];

/** Every tensor of the network, grouped as the pass computes them; remembers what just changed. */
@customElement('tensor-panel')
export class TensorPanel extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  /** The instructor may edit W and V. */
  @property({ type: Boolean }) editable = false;
  @property({ attribute: false }) flags: FlagView | null = null;

  private changes = new Map<TensorName, Set<number>>();
  private generation = 0;

  static override styles = [
    panelStyles,
    css`
      h3 {
        font-size: 0.8rem;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        color: var(--muted);
        margin: 0.5rem 0 0.35rem;
      }
      .cards {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: flex-start;
      }
      tensor-card {
        min-width: 0;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('snapshot')) return;
    const before = changed.get('snapshot') as Snapshot | null | undefined;
    const after = this.snapshot;
    this.changes = new Map();
    // Nothing is "new" on the first picture, nor when the lecture was swapped underneath.
    if (!before || !after || before.lectureId !== after.lectureId) return;
    for (const group of GROUPS) {
      for (const name of group.names) {
        const a = before.tensors[name]?.data;
        const b = after.tensors[name]?.data;
        if (!b || a === b) continue;
        const cells = new Set<number>();
        b.forEach((x, k) => {
          if (!a || !Object.is(a[k], x)) cells.add(k);
        });
        if (cells.size) this.changes.set(name, cells);
      }
    }
    if (this.changes.size) this.generation++;
  }

  override render() {
    const s = this.snapshot;
    if (!s) return html``;
    return html`
      <section class="panel" aria-labelledby="tensors-title">
        <h2 id="tensors-title">Tensors</h2>
        ${GROUPS.map(
          (g) => html`
            <h3>${g.label}</h3>
            <div class="cards">
              ${g.names.map(
                (name) => html`<tensor-card
                  .name=${name}
                  .tensor=${s.tensors[name]}
                  .changed=${this.changes.get(name) ?? new Set<number>()}
                  .generation=${this.generation}
                  .editable=${this.editable && (name === 'W' || name === 'V') && !s.training}
                  .flags=${this.flags}
                ></tensor-card>`,
              )}
            </div>
          `,
        )}
        ${this.editable ? html`<p class="muted">Click a value of W or V to edit it (Enter to set, Esc to cancel).</p>` : ''}
        ${this.flags?.mine
          ? html`<p class="muted">Lost? Tap a value, or a stage in the strip, to flag it for the instructor (⚑); tap again to take the flag back.</p>`
          : ''}
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tensor-panel': TensorPanel;
  }
}
