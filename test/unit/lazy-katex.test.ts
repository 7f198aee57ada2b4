/**
 * The plain-text form a formula shows until KaTeX has loaded (client/lib/lazy-katex.ts): readable
 * as the arithmetic it is (a fraction with an exponent inside once came out as "frac11 + e^-B").
 */
import { describe, expect, it } from 'vitest';
import { texToText } from '../../client/lib/lazy-katex.js';

describe('texToText', () => {
  it('writes fractions, sub- and superscripts and symbols as a reader types them', () => {
    expect(texToText('B_{act,1} = \\sigma(B_{1}) = \\frac{1}{1 + e^{-1.3950}} = 0.8014')).toBe('B_act,1 = σ(B_1) = 1/(1 + e^-1.3950) = 0.8014');
    expect(texToText('\\frac{\\partial L}{\\partial C_{act}} = C_{act} - y')).toBe('(∂L)/(∂C_act) = C_act - y');
    expect(texToText('\\texttt{dl\\_dV} = 0.5 \\cdot [1, 2]')).toBe('dl_dV = 0.5 · [1, 2]');
  });
});
