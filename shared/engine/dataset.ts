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

export interface Sample {
  readonly x: readonly number[];
  readonly y: number;
}

export const NOTEBOOK_SAMPLES: readonly Sample[] = NOTEBOOK_ROWS.map((r) => ({ x: r.slice(0, 3), y: r[3] }));
