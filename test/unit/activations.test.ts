/**
 * The activations table (shared/engine/mlp/activations.ts): one entry per activation holds its
 * kernels and its notation, so each entry is checked on its own: its slope is its function's
 * derivative, it reads only what `slopeFrom` says, its TeX renders and its numpy code defines
 * what the exported notebook calls.
 */
import { describe, expect, it } from 'vitest';
import katex from 'katex';
import { ACTIVATION_SPECS, sigmoid } from '../../shared/engine/mlp/activations.js';
import { ACTIVATIONS } from '../../shared/engine/mlp/config.js';

const points = [-3, -1.5, -0.4, -0.01, 0.01, 0.3, 1, 2.5];
const n = (x: number) => x.toFixed(4);

function renders(tex: string): void {
  expect(() => katex.renderToString(tex, { displayMode: true, throwOnError: true, strict: 'error' }), tex).not.toThrow();
}

describe('every activation has one entry', () => {
  it('and only the activations of the config', () => {
    expect(Object.keys(ACTIVATION_SPECS).sort()).toEqual([...ACTIVATIONS].sort());
  });

  for (const fn of ACTIVATIONS) {
    describe(fn, () => {
      const spec = ACTIVATION_SPECS[fn];
      const f = (z: number) => {
        const out = [0];
        spec.activate([z], out);
        return out[0];
      };

      it('has the slope of its function (central differences, away from a kink)', () => {
        const a = new Float64Array(points.length);
        spec.activate(points, a);
        const slope = new Float64Array(points.length);
        spec.slope(points, a, slope);
        points.forEach((z, i) => {
          const h = 1e-6;
          expect(slope[i]).toBeCloseTo((f(z + h) - f(z - h)) / (2 * h), 6);
        });
      });

      it('computes its slope from what slopeFrom names, and from nothing else', () => {
        const a = new Float64Array(points.length);
        spec.activate(points, a);
        const expected = new Float64Array(points.length);
        spec.slope(points, a, expected);
        const unread = new Float64Array(points.length).fill(Number.NaN);
        const got = new Float64Array(points.length);
        if (spec.slopeFrom === 'A') spec.slope(unread, a, got);
        else if (spec.slopeFrom === 'Z') spec.slope(points, a.map(() => Number.NaN), got);
        else spec.slope(unread, a.map(() => Number.NaN), got);
        expect(Array.from(got)).toEqual(Array.from(expected));
      });

      it('says whether it has a kink at 0', () => {
        const h = 1e-6;
        const left = (f(0) - f(-h)) / h;
        const right = (f(h) - f(0)) / h;
        expect(Math.abs(left - right) > 1e-3).toBe(spec.kinked);
      });

      it('writes TeX that KaTeX accepts, the slope line with its numbers', () => {
        renders(spec.tex.applied('Z^{[1]}'));
        renders(spec.tex.formula('A^{[1]}', 'Z^{[1]}'));
        renders(spec.tex.numbers(-0.25, n));
        renders(`g = ${spec.tex.slope('A^{[1]}_j', 'Z^{[1]}_j')}`);
        renders(`g = ${spec.tex.slopeLine({ value: '0.2500', a: 0.5, z: -0.25, zSymbol: 'Z^{[1]}_1' }, n)}`);
      });

      it('writes plain text for labels, naming the tensor it is written through', () => {
        expect(spec.text.applied('Z1')).toContain('Z1');
        const slope = spec.text.slope('A1', 'Z1');
        if (spec.slopeFrom === 'A') expect(slope).toContain('A1');
        if (spec.slopeFrom === 'Z') expect(slope).toContain('Z1');
      });

      it('defines the numpy functions the exported notebook calls', () => {
        expect(spec.numpy).toContain(`def ${fn}(z):`);
        expect(spec.numpy).toMatch(new RegExp(`def ${fn}_slope\\((A|Z)\\):`));
      });

      it('has a heatmap scale: its range when bounded, else the layer’s largest magnitude', () => {
        const z = [-50, ...points, 50];
        const a = new Float64Array(z.length);
        spec.activate(z, a);
        if (spec.heatmap.kind === 'range') {
          const { centre, half } = spec.heatmap;
          for (const v of a) expect(Math.abs(v - centre)).toBeLessThanOrEqual(half);
        } else {
          expect(spec.heatmap.legend('12')).toContain('12');
        }
      });
    });
  }

  it('keeps the notebook’s sigmoid', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(2)).toBe(1 / (1 + Math.exp(-2)));
  });
});
