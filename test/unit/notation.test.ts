/**
 * Issue 12, "One notation": for a layer-indexed network the stage strip, the diagram's column
 * headings and node labels, the tensor cards and the equations' titles name the same things the
 * same way (docs/networks.md, "One notation"), all from client/lib/names.ts. The strip shows
 * stageLabel, a tensor card's title is tensorLabel and its elements elementText (tensor-card.ts),
 * the diagram's headings columnHeading and columnShows, its nodes unitLabel (nn-diagram.ts).
 * Before, the diagram said z₁/a₁ and "layer 1 · tanh" where everything else said Z1/A1.
 */
import { describe, expect, it } from 'vitest';
import { NOTEBOOK_MLP_CONFIG } from '../../shared/engine/mlp/config.js';
import { mlpLayout, type MlpLayout } from '../../shared/engine/mlp/layout.js';
import { createLecture, decide, evolve, type LectureState } from '../../shared/lecture/decider.js';
import { toSnapshot } from '../../shared/lecture/views.js';
import { parseCommand } from '../../shared/protocol/commands.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { stageEquations } from '../../client/lib/equations.js';
import { columnHeading, columnShows, phaseOf, unitLabel } from '../../client/lib/names.js';
import { elementText, stageLabel, tensorLabel } from '../../shared/engine/mlp/tensor-names.js';

const ctx = { now: 1_700_000_000_000, newSeed: () => 4242 };

function run(state: LectureState, input: unknown): LectureState {
  const parsed = parseCommand(input);
  if (!parsed.ok) throw new Error(parsed.error);
  const d = decide(state, parsed.value, ctx);
  if (!d.ok) throw new Error(d.error);
  return evolve(state, d.event);
}

/** A 2-8-8-1 lecture on the spiral (tanh, relu, sigmoid, biases): a snapshot after every stage of one pass. */
function onePass(): Snapshot[] {
  let state = createLecture({ lectureId: 'ABCDEF', title: 'T', preset: 'random', seed: 7, learningRate: 1 });
  state = run(state, { type: 'setDataset', dataset: { kind: 'points', set: 'spiral', count: 100, noise: 0.05, trainFraction: 0.5, seed: 3 } });
  state = run(state, { type: 'setNetwork', network: { hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'relu' }], biases: true }, preset: 'random', seed: 4 });
  const stages = mlpLayout(toSnapshot(state).network).stages.length;
  const out: Snapshot[] = [];
  for (let k = 0; k < stages; k++) {
    state = run(state, { type: 'step' });
    out.push(toSnapshot(state));
  }
  return out;
}

/** Every tensor name of a layout: the only symbols (letters then a layer number) a label may use. */
function tensorNames(layout: MlpLayout): Set<string> {
  const names = [layout.input, ...layout.layers.flatMap((n) => [n.W, n.b, n.Z, n.A, n.dL_dA, n.dA_dZ, n.dL_dZ, n.dL_dW, n.dL_db])];
  return new Set(names.filter((x): x is string => x !== null));
}

/** The layer-indexed symbols a text uses: "∂L/∂Z1 = A0·W1" → Z1, A0, W1 (derivatives split into their parts). */
const symbolsIn = (text: string): string[] => text.match(/[A-Za-z]+\d+/g) ?? [];

describe('one notation for a 2-8-8-1 network', () => {
  const snapshots = onePass();
  const layout = mlpLayout(snapshots[0].network);
  const names = tensorNames(layout);
  const plainNames = new Set([...names].flatMap((n) => symbolsIn(tensorLabel(n))));

  it('has every stage of the pass (input, forward, loss, backward, update)', () => {
    expect(snapshots.map((s) => s.stage)).toEqual(layout.stages.map((s) => s.stage));
    expect(layout.sizes).toEqual([2, 8, 8, 1]);
  });

  for (const s of snapshots) {
    it(`names ${s.stage} alike in the strip, the diagram, the tensor cards and the equation`, () => {
      const spec = layout.stages.find((st) => st.stage === s.stage)!;
      const strip = stageLabel(s.stage);
      const title = stageEquations(s).title;
      const cards = spec.produces.map((name) => tensorLabel(name));
      const headings = layout.sizes.map((_, c) => columnHeading(layout, c));
      const backward = phaseOf(s.network, s.stage) === 'backward';
      const shows = layout.sizes.map((_, c) => columnShows(layout, c, backward, (name) => s.tensors[name] !== undefined));
      // No lower-case z₁/a₁ or x: every symbol anywhere is one of the network's tensors, as the cards write them.
      for (const text of [strip, title, ...cards, ...headings, ...shows]) {
        for (const symbol of symbolsIn(text)) expect(plainNames, `${symbol} in “${text}”`).toContain(symbol);
        expect(text).not.toMatch(/[za][₀-₉]|∂[za]\b|^[xza]$/);
      }
      if (s.stage === 'input') {
        // The strip's "input" loads A0: the card, the equation and the inputs' column say A0.
        expect(cards).toContain('A0');
        expect(title).toContain('A0');
        expect(headings[0]).toContain('A0');
        expect(shows[0]).toBe('A0');
        return;
      }
      if (s.stage === 'update' || s.stage === 'L') return;
      // The stage is named after the tensor it computes: its chip, its card and its equation agree.
      expect(cards).toEqual([strip]);
      expect(title).toContain(strip);
      const l = spec.layer!;
      const n = layout.layers[l - 1];
      // Its layer's column heading names the layer's Z and A as they are written everywhere else.
      expect(symbolsIn(headings[l])).toEqual([tensorLabel(n.A), tensorLabel(n.Z)]);
      if (spec.formula.kind === 'activation') expect(title.endsWith(headings[l].replace(/^ŷ = /, ''))).toBe(true);
      // A per-unit tensor's nodes carry the card's element names; a big node's row names what it shows.
      if ([n.Z, n.A].includes(s.stage)) {
        const width = layout.sizes[l];
        const j = Math.min(2, width - 1);
        expect(unitLabel(s.stage, width, j)).toBe(elementText(s.stage, [width], [j]));
        expect(unitLabel(s.stage, width, j)).toBe(width > 1 ? `${strip}[3]` : strip);
        expect(shows[l]).toBe(strip);
      }
      if (s.stage === n.dL_dZ || (s.stage === n.dL_dA && s.tensors[n.dL_dZ ?? ''] === undefined)) expect(shows[l]).toBe(strip);
    });
  }

  it('writes the output column as ŷ and its formula, the loss as the equations do', () => {
    expect(layout.sizes.map((_, c) => columnHeading(layout, c))).toEqual(['A0 · inputs', 'A1 = tanh(Z1)', 'A2 = relu(Z2)', 'ŷ = A3 = σ(Z3)']);
    expect(unitLabel('Z3', 1, 0)).toBe('Z3');
  });
});

describe('the notebook keeps its names', () => {
  it("labels every stage with the notebook's tensors", () => {
    const layout = mlpLayout(NOTEBOOK_MLP_CONFIG);
    expect(layout.stages.map((s) => stageLabel(s.stage))).toEqual([
      'input',
      'B',
      'B_act',
      'C',
      'C_act',
      'L',
      '∂L/∂C_act',
      '∂C_act/∂C',
      '∂L/∂V',
      '∂L/∂B_act',
      '∂B_act/∂B',
      '∂L/∂B',
      '∂L/∂W',
      'update',
    ]);
  });
});
