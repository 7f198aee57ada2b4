import type { Activation } from './config.js';

/**
 * Everything the program knows about each activation function, in one entry per function: its
 * kernels (the engine's arithmetic), how it initialises, its notation (plain text, TeX, names),
 * its numpy code for the exported notebook and how a heatmap colours it. Every place that
 * depends on the activation reads this table, so a new function (leaky ReLU, softplus) is one
 * entry here and the compiler names whatever else must learn it.
 */

type Out = number[] | Float64Array;

/** How an equation line writes a number (the panel's rounding, the panel's minus). */
export type TexNumber = (x: number) => string;

/** One element of a slope stage, as its substituted line needs it. */
export interface SlopeElement {
  /** The slope's value, already written as a number. */
  readonly value: string;
  /** The layer's activation and pre-activation at this element. */
  readonly a: number;
  readonly z: number;
  /** Z's symbol at this element (ReLU says on which side of 0 it lies). */
  readonly zSymbol: string;
}

/**
 * How a heatmap colours the function's values: a bounded function over its whole range (`centre`
 * white, centre ± `half` full colour); an unbounded one by the largest magnitude in its layer.
 */
export type HeatmapScale =
  | { readonly kind: 'range'; readonly centre: number; readonly half: number; readonly legend: string }
  | { readonly kind: 'layer'; readonly legend: (largest: string) => string };

export interface ActivationSpec {
  /** In the network editor's menu. */
  readonly name: string;
  /** As a sentence names the function: "the ReLU’s slope", "the identity’s slope". */
  readonly noun: string;
  /** A = f(Z), elementwise. */
  readonly activate: (z: ArrayLike<number>, out: Out) => void;
  /** dA/dZ elementwise, written through `slopeFrom` (the other argument is not read). */
  readonly slope: (z: ArrayLike<number>, a: ArrayLike<number>, out: Out) => void;
  /** The tensor the slope is computed from, the slope stage's one input: A, Z, or none (a constant). */
  readonly slopeFrom: 'A' | 'Z' | null;
  /** Whether f has a kink at Z = 0, which a finite difference of a gradient check may straddle. */
  readonly kinked: boolean;
  /** Random initial weights: He (√(2/n_in)) or Xavier/Glorot (√(2/(n_in + n_out))). */
  readonly init: 'he' | 'xavier';
  /** Plain text: f applied to x ("σ(Z1)") and the slope's right-hand side ("A1⊙(1 − A1)"). */
  readonly text: {
    readonly applied: (x: string) => string;
    readonly slope: (A: string, Z: string) => string;
  };
  readonly tex: {
    /** f(x) inside a composed formula: \sigma(x); the identity keeps its parentheses, (x). */
    readonly applied: (x: string) => string;
    /** The activation stage's formula. */
    readonly formula: (A: string, Z: string) => string;
    /** f(z) with the number z in it. */
    readonly numbers: (z: number, n: TexNumber) => string;
    /** The slope stage's formula, right of "dA/dZ =". */
    readonly slope: (A: string, Z: string) => string;
    /** One slope line with its numbers, right of the element's symbol and "=". */
    readonly slopeLine: (e: SlopeElement, n: TexNumber) => string;
  };
  /** Python defining `<name>(z)` and `<name>_slope(…)` (of A or Z, as `slopeFrom`), which the notebook's pass calls. */
  readonly numpy: string;
  readonly heatmap: HeatmapScale;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** One entry per activation of config.ts's ACTIVATIONS (a missing or extra one is a compile error). */
export const ACTIVATION_SPECS = {
  sigmoid: {
    name: 'sigmoid σ',
    noun: 'sigmoid',
    activate: (z, out) => {
      for (let i = 0; i < z.length; i++) out[i] = sigmoid(z[i]);
    },
    // σ'(z) written through the activation: s(1 − s).
    slope: (_z, a, out) => {
      for (let i = 0; i < a.length; i++) out[i] = a[i] * (1 - a[i]);
    },
    slopeFrom: 'A',
    kinked: false,
    init: 'xavier',
    text: { applied: (x) => `σ(${x})`, slope: (A) => `${A}⊙(1 − ${A})` },
    tex: {
      applied: (x) => `\\sigma(${x})`,
      formula: (A, Z) => `${A} = \\sigma(${Z}) = \\frac{1}{1 + e^{-${Z}}}`,
      numbers: (z, n) => `\\frac{1}{1 + e^{${n(-z)}}}`,
      slope: (A) => `${A}\\,(1 - ${A})`,
      slopeLine: (e, n) => `${n(e.a)}\\,(1 - ${n(e.a)}) = ${e.value}`,
    },
    numpy: [
      'def sigmoid(z):',
      '    return 1.0/(1.0+np.exp(-z))',
      '',
      'def sigmoid_slope(A):',
      '    """sigmoid\'(z) = sigmoid(z)*(1 - sigmoid(z)), written through the activation A = sigmoid(Z)."""',
      '    return A*(1 - A)',
    ].join('\n'),
    heatmap: { kind: 'range', centre: 0.5, half: 0.5, legend: 'sigmoid: 0 blue · ½ white · 1 orange' },
  },
  tanh: {
    name: 'tanh',
    noun: 'tanh',
    activate: (z, out) => {
      for (let i = 0; i < z.length; i++) out[i] = Math.tanh(z[i]);
    },
    slope: (_z, a, out) => {
      for (let i = 0; i < a.length; i++) out[i] = 1 - a[i] * a[i];
    },
    slopeFrom: 'A',
    kinked: false,
    init: 'xavier',
    text: { applied: (x) => `tanh(${x})`, slope: (A) => `1 − ${A}²` },
    tex: {
      applied: (x) => `\\tanh(${x})`,
      formula: (A, Z) => `${A} = \\tanh(${Z}) = \\frac{e^{${Z}} - e^{-${Z}}}{e^{${Z}} + e^{-${Z}}}`,
      numbers: (z, n) => `\\tanh(${n(z)})`,
      slope: (A) => `1 - {${A}}^2`,
      slopeLine: (e, n) => `1 - (${n(e.a)})^2 = ${e.value}`,
    },
    numpy: ['def tanh(z):', '    return np.tanh(z)', '', 'def tanh_slope(A):', '    """tanh\'(z) = 1 - tanh(z)**2, written through the activation A = tanh(Z)."""', '    return 1 - A*A'].join('\n'),
    heatmap: { kind: 'range', centre: 0, half: 1, legend: 'tanh: −1 blue · 0 white · 1 orange' },
  },
  relu: {
    name: 'ReLU',
    noun: 'ReLU',
    activate: (z, out) => {
      for (let i = 0; i < z.length; i++) out[i] = z[i] > 0 ? z[i] : 0;
    },
    // Through Z, with slope 0 at Z = 0 exactly (the subgradient PyTorch uses).
    slope: (z, a, out) => {
      for (let i = 0; i < a.length; i++) out[i] = z[i] > 0 ? 1 : 0;
    },
    slopeFrom: 'Z',
    kinked: true,
    init: 'he',
    text: { applied: (x) => `relu(${x})`, slope: (_A, Z) => `1 where ${Z} > 0, else 0` },
    tex: {
      applied: (x) => `\\mathrm{relu}(${x})`,
      formula: (A, Z) => `${A} = \\mathrm{relu}(${Z}) = \\max(${Z}, 0)`,
      numbers: (z, n) => `\\max(${n(z)}, 0)`,
      slope: (_A, Z) => `\\begin{cases} 1 & ${Z} > 0 \\\\ 0 & \\text{otherwise} \\end{cases}`,
      slopeLine: (e, n) => `${e.value}\\quad (${e.zSymbol} = ${n(e.z)} ${e.z > 0 ? '> 0' : '\\le 0'})`,
    },
    numpy: [
      'def relu(z):',
      '    return np.where(z > 0, z, 0.0)',
      '',
      'def relu_slope(Z):',
      '    """1 where Z > 0, else 0 (0 at exactly 0, the subgradient PyTorch uses)."""',
      '    return np.where(Z > 0, 1.0, 0.0)',
    ].join('\n'),
    heatmap: { kind: 'layer', legend: (largest) => `relu: 0 white · ${largest} orange (the layer's largest)` },
  },
  linear: {
    name: 'linear',
    noun: 'identity',
    activate: (z, out) => {
      for (let i = 0; i < z.length; i++) out[i] = z[i];
    },
    slope: (_z, a, out) => {
      for (let i = 0; i < a.length; i++) out[i] = 1;
    },
    slopeFrom: null,
    kinked: false,
    init: 'xavier',
    text: { applied: (x) => x, slope: () => '1' },
    tex: {
      applied: (x) => `(${x})`,
      formula: (A, Z) => `${A} = ${Z}\\quad \\text{(linear: the identity)}`,
      numbers: (z, n) => n(z),
      slope: () => '1',
      slopeLine: (e) => e.value,
    },
    numpy: ['def linear(z):', '    return z', '', 'def linear_slope(Z):', '    return np.ones_like(Z)'].join('\n'),
    heatmap: { kind: 'layer', legend: (largest) => `linear: ±${largest} blue/orange (the layer's largest) · 0 white` },
  },
} satisfies Record<Activation, ActivationSpec>;
