/**
 * The losses table (shared/engine/mlp/losses.ts): one entry per loss holds its rules, its kernels
 * and its notation. Its output delta is its gradient (with respect to ŷ, or to Z when it is
 * differentiated together with the sigmoid), its rules are the ones the config and the data are
 * checked by, and its TeX renders.
 */
import { describe, expect, it } from 'vitest';
import katex from 'katex';
import { sigmoid } from '../../shared/engine/mlp/activations.js';
import { LOSSES, OUTPUT_ACTIVATIONS, parseMlpConfig } from '../../shared/engine/mlp/config.js';
import { dataProblem, packData } from '../../shared/engine/mlp/data.js';
import { LOSS_SPECS, lossFitsOutput } from '../../shared/engine/mlp/losses.js';

const n = (x: number) => x.toFixed(4);
const raw = (x: number) => String(x);

function renders(tex: string): void {
  expect(() => katex.renderToString(tex, { displayMode: true, throwOnError: true, strict: 'error' }), tex).not.toThrow();
}

describe('every loss has one entry', () => {
  it('and only the losses of the config', () => {
    expect(Object.keys(LOSS_SPECS).sort()).toEqual([...LOSSES].sort());
  });

  for (const loss of LOSSES) {
    describe(loss, () => {
      const spec = LOSS_SPECS[loss];
      const y = [1, 0];
      const z = [0.7, -1.2];
      const yHat = z.map(sigmoid);

      it('has its gradient as its output delta: dL/dŷ, or dL/dZ when fused with the sigmoid', () => {
        const delta = [0, 0];
        spec.delta(y, yHat, delta);
        const h = 1e-6;
        for (let j = 0; j < 2; j++) {
          const at = (dz: number) => {
            const zz = z.map((v, k) => (k === j ? v + dz : v));
            const a = spec.fused ? zz.map(sigmoid) : yHat.map((v, k) => (k === j ? v + dz : v));
            return spec.rowLoss(y, a, zz);
          };
          expect(delta[j]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 6);
        }
      });

      it('sums over the output units', () => {
        const one = (j: number) => spec.rowLoss([y[j]], [yHat[j]], [z[j]]);
        expect(spec.rowLoss(y, yHat, z)).toBeCloseTo(one(0) + one(1), 15);
      });

      it('is the rule the config is checked by: the output it needs', () => {
        for (const output of OUTPUT_ACTIVATIONS) {
          const parsed = parseMlpConfig({ inputs: 2, hidden: [{ units: 2, activation: 'tanh' }], output: { activation: output }, loss });
          expect(parsed.ok).toBe(lossFitsOutput(loss, output));
          if (!parsed.ok) expect(parsed.errors).toEqual([`${spec.fullName} needs a ${spec.needs!.output} output (${spec.needs!.why})`]);
        }
      });

      it('is the rule the data is checked by: the targets it can learn', () => {
        const config = { inputs: 1, hidden: [{ units: 1, activation: 'tanh' as const }], output: { units: 1, activation: 'sigmoid' as const }, loss, biases: false, batch: 1 };
        expect(dataProblem(config, packData([{ x: [0], y: 0 }, { x: [1], y: 1 }], 1))).toBeNull();
        const outside = dataProblem(config, packData([{ x: [0], y: 0 }, { x: [1], y: 2 }], 1));
        if (spec.targets) expect(outside).toBe(`${spec.fullName} needs targets between ${spec.targets[0]} and ${spec.targets[1]}; row 2 has 2`);
        else expect(outside).toBeNull();
      });

      it('writes TeX that KaTeX accepts', () => {
        for (const outputs of [1, 2]) {
          renders(spec.tex.network('\\sigma(A\\,W)', outputs).tex);
          renders(spec.tex.formula('L', 'y_j', '\\hat y_j', outputs > 1 ? '\\sum_j ' : ''));
          renders(spec.tex.row('L', y.slice(0, outputs).map((t, j) => ({ y: t, yHat: yHat[j] })), '0.1234', { n, raw }));
        }
        if (spec.fromLogits) renders(spec.fromLogits('Z^{[2]}'));
        if (spec.fused) renders(spec.fused.tex);
      });

      it('defines the numpy loss the exported notebook calls', () => {
        expect(spec.numpy.code).toContain('def loss(y, A_out, Z_out):');
        expect(spec.numpy.markdown('Z2')).toMatch(/^The loss: /);
      });
    });
  }
});
