/**
 * Property: whatever an instructor does with networks and datasets, in whatever order, the decider
 * either refuses a command with a reason or applies it; it never throws, the recording folds back
 * to the same state, and a client applying the frames holds exactly that state.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { provideCsvText } from '../../shared/datasets/csv-texts.js';
import { createLecture, decide, evolve, type LectureEvent, type LectureState } from '../../shared/lecture/decider.js';
import { frameBetween, toSnapshot } from '../../shared/lecture/views.js';
import { parseCommand } from '../../shared/protocol/commands.js';
import { applyFrame } from '../../shared/protocol/snapshot.js';

/** An uploaded table travels by digest; its text is provided as the server provides it. */
const TABLE = 'a,b,c,y\n1,2,3,0.5\n0,1,0,2\n1,1,1,-1\n';
const TABLE_DIGEST = createHash('sha256').update(TABLE).digest('hex');
provideCsvText(TABLE_DIGEST, TABLE);

const activation = fc.constantFrom('sigmoid', 'tanh', 'relu', 'linear');
const network = fc.record({
  hidden: fc.array(fc.record({ units: fc.integer({ min: 1, max: 5 }), activation }), { minLength: 1, maxLength: 3 }),
  output: fc.record({ activation: fc.constantFrom('sigmoid', 'linear') }),
  loss: fc.constantFrom('halfSquaredError', 'crossEntropy'),
  biases: fc.boolean(),
  batch: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 5 }), fc.constant('full')),
});
const dataset = fc.oneof(
  fc.record({ kind: fc.constant('truthTable'), table: fc.constantFrom('notebook', 'xor', 'and', 'or') }),
  fc.record({
    kind: fc.constant('points'),
    set: fc.constantFrom('circle', 'xor', 'gaussians', 'spiral'),
    count: fc.integer({ min: 4, max: 24 }),
    noise: fc.constantFrom(0, 0.2),
    trainFraction: fc.constantFrom(0.5, 1),
    seed: fc.integer({ min: 0, max: 5 }),
  }),
  fc.constant({ kind: 'csv', name: 'r.csv', digest: TABLE_DIGEST }),
);
const small = fc.integer({ min: 0, max: 9 });
const command = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom({ type: 'step' }, { type: 'forward' }, { type: 'backward' }, { type: 'update' }, { type: 'back' }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('setNetwork'), network, seed: small }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('setDataset'), dataset, seed: small }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('train'), epochs: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('selectSample'), index: small }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('reset'), preset: fc.constantFrom('notebook', 'random'), seed: small }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('setWeight'),
      tensor: fc.constantFrom('W', 'V', 'W1', 'b1', 'W2', 'b2', 'W3'),
      index: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 2 }),
      value: fc.double({ min: -3, max: 3, noNaN: true }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('ask'),
      tensor: fc.constantFrom('C_act', 'B', 'Z1', 'A2', 'L', 'dL_dW1', 'W'),
      index: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'reveal' }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('bookmark'), label: fc.string({ maxLength: 90 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('setNarration'), on: fc.boolean() }) },
);

const ctx = { now: 0, newSeed: () => 17 };
const start = () => createLecture({ lectureId: 'ABCDEF', title: 't', preset: 'notebook', seed: 0, learningRate: 0.5 });

describe('any sequence of commands on any networks and datasets', () => {
  it('is refused with a reason or applied; the recording folds back and the frames rebuild every state', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 25 }), (inputs) => {
        let state: LectureState = start();
        let client = toSnapshot(state);
        const events: LectureEvent[] = [];
        for (const input of inputs) {
          const parsed = parseCommand(input);
          if (!parsed.ok) {
            expect(parsed.error.length).toBeGreaterThan(0);
            continue;
          }
          const d = decide(state, parsed.value, ctx);
          if (!d.ok) {
            expect([400, 409]).toContain(d.status);
            expect(d.error.length).toBeGreaterThan(0);
            continue;
          }
          const next = evolve(state, d.event);
          client = applyFrame(client, frameBetween(state, next, d.event));
          events.push(d.event);
          state = next;
        }
        const snapshot = toSnapshot(state);
        expect(client).toEqual(snapshot);
        expect(toSnapshot(events.reduce(evolve, start()))).toEqual(snapshot);
        // What the engine holds fits the network it claims.
        for (const t of Object.values(state.network.tensors)) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
      }),
      { numRuns: 150, seed: 6 },
    );
  });
});
