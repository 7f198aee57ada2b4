import type { Dataset, Sample } from './types.js';

/**
 * The teaching notebook's truth table (seed notebook In[187]): y = X2 if X3 else X1,
 * a 2-to-1 multiplexer, so not linearly separable and the hidden layer matters.
 */
export const NOTEBOOK_ROWS: readonly (readonly [number, number, number, number])[] = [
  [1, 0, 0, 1],
  [0, 1, 0, 0],
  [1, 1, 0, 1],
  [0, 0, 0, 0],
  [1, 0, 1, 0],
  [0, 0, 1, 0],
  [1, 1, 1, 1],
  [0, 1, 1, 1],
];

/** The notebook's rows as samples: X1, X2, X3 and y. */
export const NOTEBOOK_SAMPLES: readonly Sample[] = NOTEBOOK_ROWS.map((r) => ({ x: r.slice(0, 3), y: r[3] }));

export const TRUTH_TABLES = ['notebook', 'xor', 'and', 'or'] as const;
export type TruthTable = (typeof TRUTH_TABLES)[number];
export const TRUTH_TABLE_INPUTS = { min: 2, max: 4, default: 2 } as const;

/** Every combination of `inputs` bits, in binary counting order with x1 the most significant: 00, 01, 10, 11. */
export function bitRows(inputs: number): number[][] {
  return Array.from({ length: 2 ** inputs }, (_, r) => Array.from({ length: inputs }, (_, i) => (r >> (inputs - 1 - i)) & 1));
}

const RULES: Record<Exclude<TruthTable, 'notebook'>, (bits: number[]) => number> = {
  and: (b) => (b.every((v) => v === 1) ? 1 : 0),
  or: (b) => (b.some((v) => v === 1) ? 1 : 0),
  // With more than two inputs, XOR is parity: 1 when an odd number of inputs are 1.
  xor: (b) => b.reduce((a, v) => a ^ v, 0),
};

/**
 * A truth table as a dataset; every row trains, none is held out.
 * - notebook: the teaching notebook's 8 rows of 3 inputs (y = X2 if X3 else X1), in the notebook's order.
 * - xor, and, or: `inputs` (2 to 4, default 2) inputs, every combination in counting order.
 */
export function truthTable(table: TruthTable, inputs: number = TRUTH_TABLE_INPUTS.default): Dataset {
  if (table === 'notebook') {
    return {
      name: 'the notebook\'s truth table',
      featureNames: ['X1', 'X2', 'X3'],
      targetName: 'y',
      train: NOTEBOOK_SAMPLES,
      test: [],
      domain: null,
    };
  }
  if (!Number.isInteger(inputs) || inputs < TRUTH_TABLE_INPUTS.min || inputs > TRUTH_TABLE_INPUTS.max) {
    throw new Error(`a truth table has ${TRUTH_TABLE_INPUTS.min} to ${TRUTH_TABLE_INPUTS.max} inputs, not ${inputs}`);
  }
  const rule = RULES[table];
  const train: Sample[] = bitRows(inputs).map((x) => ({ x, y: rule(x) }));
  return {
    name: `${table.toUpperCase()} (${inputs} inputs)`,
    featureNames: Array.from({ length: inputs }, (_, i) => `X${i + 1}`),
    targetName: 'y',
    train,
    test: [],
    domain: null,
  };
}
