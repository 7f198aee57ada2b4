import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PropertyValues } from 'lit';
import { mlpLayout, type MlpLayout } from '../../shared/engine/mlp/layout.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { stageLabel } from '../../shared/engine/mlp/tensor-names.js';
import type { FlagView } from '../lib/collab.js';
import { isPerRow, snapshotShape } from '../lib/names.js';
import { panelStyles } from '../lib/shared-styles.js';
import { spotlightKey } from '../lib/spotlight.js';
import './tensor-card.js';

interface TensorGroup {
  readonly label: string;
  readonly names: readonly string[];
}

const groupCache = new WeakMap<MlpLayout, TensorGroup[]>();

/**
 * The network's tensors (layout.tensorNames) in three groups: what the pass starts from (the
 * input row and the parameters), then what the forward and the backward stages compute, in
 * stage order. For the notebook: A, y, W, V | B, B_act, C, C_act, L | dL_dC_act, … dL_dW.
 */
function groupsOf(layout: MlpLayout): TensorGroup[] {
  let groups = groupCache.get(layout);
  if (!groups) {
    const computedIn = (phase: 'forward' | 'backward') =>
      layout.stages.filter((s) => s.phase === phase && s.stage !== 'input').flatMap((s) => s.produces);
    groups = [
      { label: 'Input and weights', names: [layout.input, layout.target, ...layout.parameters] },
      { label: 'Forward', names: computedIn('forward') },
      { label: 'Backward', names: computedIn('backward') },
    ];
    groupCache.set(layout, groups);
  }
  return groups;
}

/** What the stage just computed (the input row, B_act, the updated W and V); none before the first. */
function currentTensors(layout: MlpLayout, stage: string): readonly string[] {
  return layout.stages.find((s) => s.stage === stage)?.produces ?? [];
}

/** The one-column page (lecture-view's breakpoint): a phone, where the folds start closed. */
const NARROW = '(max-width: 900px)';

/** "W or V", "W1, b1 or W2". */
function inWords(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * Every tensor of the network, grouped as the pass computes them; remembers what just changed.
 * What the current stage computed comes first; the rest fold under "All tensors" (open on wide
 * screens, closed on phones, where they would be a long scroll), which opens by itself when the
 * instructor spotlights an element inside it.
 */
@customElement('tensor-panel')
export class TensorPanel extends LitElement {
  @property({ attribute: false }) snapshot: Snapshot | null = null;
  /** The instructor may edit the parameters (W and V; W1, b1, …). */
  @property({ type: Boolean }) editable = false;
  @property({ attribute: false }) flags: FlagView | null = null;
  /** The instructor is pointing: a cell click spotlights its element instead of editing it. */
  @property({ type: Boolean }) pointing = false;

  /** "All tensors" is open: at first on wide screens, then as the student leaves it. */
  @state() private allOpen = !matchMedia(NARROW).matches;

  private changes = new Map<string, Set<number>>();
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
      /* A tensor's name keeps its case: B_act, not B_ACT. */
      h3 .name {
        text-transform: none;
        letter-spacing: normal;
      }
      summary {
        min-height: 2rem;
        padding: 0.3rem 0;
        box-sizing: border-box;
        cursor: pointer;
        font-weight: 600;
      }
      summary:focus-visible {
        outline: 3px solid var(--focus);
        outline-offset: 2px;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('snapshot')) return;
    const before = changed.get('snapshot') as Snapshot | null | undefined;
    const after = this.snapshot;
    this.openForSpotlight(before, after);
    this.changes = new Map();
    // Nothing is "new" on the first picture, nor when the lecture was swapped underneath.
    if (!before || !after || before.lectureId !== after.lectureId) return;
    for (const group of groupsOf(mlpLayout(after.network))) {
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

  /** A new spotlight on an element folded away opens the fold, so the page can bring it into view. */
  private openForSpotlight(before: Snapshot | null | undefined, after: Snapshot | null): void {
    const t = after?.spotlight;
    if (!t || t.type !== 'element' || spotlightKey(t) === spotlightKey(before?.spotlight)) return;
    if (!currentTensors(mlpLayout(after.network), after.stage).includes(t.tensor)) this.allOpen = true;
  }

  override render() {
    const s = this.snapshot;
    if (!s) return html``;
    const layout = mlpLayout(s.network);
    const canEdit = (name: string) => this.editable && layout.parameters.includes(name) && !s.training;
    // Batched per-row tensors show the sample number of each row; the pass starts at sampleIndex.
    const firstSample = (name: string) => (layout.batched && isPerRow(layout, name) ? s.sampleIndex : null);
    const card = (name: string) => html`<tensor-card
      .name=${name}
      .tensor=${s.tensors[name]}
      .shape=${snapshotShape(s, name)}
      .firstSample=${firstSample(name)}
      .changed=${this.changes.get(name) ?? new Set<number>()}
      .generation=${this.generation}
      .editable=${canEdit(name)}
      .flags=${this.flags}
      .spotlight=${spotlightKey(s.spotlight)}
      .pointing=${this.pointing}
    ></tensor-card>`;
    const current = currentTensors(layout, s.stage);
    const rest = (names: readonly string[]) => names.filter((name) => !current.includes(name));
    return html`
      <section class="panel" aria-labelledby="tensors-title">
        <h2 id="tensors-title">Tensors</h2>
        ${current.length
          ? html`<h3 data-testid="current-tensors">This stage: <span class="name">${stageLabel(s.stage)}</span></h3>
              <div class="cards">${current.map(card)}</div>`
          : ''}
        <details data-testid="all-tensors" ?open=${this.allOpen} @toggle=${(e: Event) => (this.allOpen = (e.target as HTMLDetailsElement).open)}>
          <summary>All tensors</summary>
          ${groupsOf(layout).map((g) =>
            rest(g.names).length
              ? html`
                  <h3>${g.label}</h3>
                  <div class="cards">${rest(g.names).map(card)}</div>
                `
              : '',
          )}
        </details>
        ${this.pointing
          ? html`<p class="muted">Pointing: click a value (or a stage, node, edge or equation line) to spotlight it for the class; click it again, or press Esc, to clear.</p>`
          : this.editable ? html`<p class="muted">Click a value of ${inWords(layout.parameters)} to edit it (Enter to set, Esc to cancel).</p>` : ''}
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
