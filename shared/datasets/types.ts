/** A row of a dataset: its features and one numeric target. */
export interface Sample {
  readonly x: readonly number[];
  readonly y: number;
}

/** A dataset as a lecture uses it: named features, one numeric target, a training and a test split. */
export interface Dataset {
  /** For people: "XOR (2 inputs)", "spiral, noise 0.2". */
  readonly name: string;
  readonly featureNames: readonly string[];
  readonly targetName: string;
  readonly train: readonly Sample[];
  /** Held-out rows (empty for truth tables, whose every row is trained on). */
  readonly test: readonly Sample[];
  /** For 2-D sets: the square the points are drawn in, for a decision-boundary heatmap. */
  readonly domain: { readonly x: readonly [number, number]; readonly y: readonly [number, number] } | null;
}
