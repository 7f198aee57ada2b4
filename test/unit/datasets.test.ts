import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CSV_LIMITS, datasetFromCsv, parseCsv, type CsvResult } from '../../shared/datasets/csv.js';
import { pointSet, POINT_SETS } from '../../shared/datasets/points.js';
import { makeDataset, NOTEBOOK_DATASET_SPEC, parseDatasetSpec } from '../../shared/datasets/spec.js';
import { splitTrainTest } from '../../shared/datasets/split.js';
import { NOTEBOOK_SAMPLES, bitRows, truthTable } from '../../shared/datasets/truth-tables.js';
import { mlpConfig } from '../../shared/engine/mlp/config.js';
import { packFor } from '../../shared/engine/mlp/data.js';
import { initialParams } from '../../shared/engine/mlp/init.js';
import { createMlp } from '../../shared/engine/mlp/network.js';
import { fitMlp } from '../../shared/engine/mlp/train.js';
import { LINE_SEPARATORS } from '../support/hostile.js';

describe('truth tables', () => {
  it('the notebook\'s is the default, in the notebook\'s order', () => {
    const d = makeDataset(NOTEBOOK_DATASET_SPEC);
    expect(d.train).toEqual(NOTEBOOK_SAMPLES);
    expect(d.test).toEqual([]);
    expect(d.featureNames).toEqual(['X1', 'X2', 'X3']);
  });

  it('XOR, AND and OR with 2 inputs', () => {
    const ys = (t: 'xor' | 'and' | 'or') => truthTable(t).train.map((s) => [...s.x, s.y]);
    expect(ys('xor')).toEqual([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]);
    expect(ys('and')).toEqual([[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]]);
    expect(ys('or')).toEqual([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]]);
  });

  it('XOR of 3 or 4 inputs is parity; tables have 2 to 4 inputs', () => {
    expect(bitRows(3)).toHaveLength(8);
    expect(truthTable('xor', 3).train.map((s) => s.y)).toEqual([0, 1, 1, 0, 1, 0, 0, 1]);
    expect(truthTable('and', 4).train.filter((s) => s.y === 1)).toEqual([{ x: [1, 1, 1, 1], y: 1 }]);
    expect(() => truthTable('or', 5)).toThrow(/2 to 4 inputs/);
  });
});

describe('2-D point sets', () => {
  for (const set of POINT_SETS) {
    it(`${set}: the same seed gives the same points, another seed others`, () => {
      const a = pointSet(set, { count: 100, noise: 0.2, seed: 42 });
      const b = pointSet(set, { count: 100, noise: 0.2, seed: 42 });
      const c = pointSet(set, { count: 100, noise: 0.2, seed: 43 });
      expect(a).toEqual(b);
      expect(a.train).not.toEqual(c.train);
      expect(a.train).toHaveLength(50);
      expect(a.test).toHaveLength(50);
      const all = [...a.train, ...a.test];
      expect(all.every((s) => s.x.length === 2 && (s.y === 0 || s.y === 1))).toBe(true);
      expect(all.every((s) => Math.abs(s.x[0]) <= 6 && Math.abs(s.x[1]) <= 6) || set === 'gaussians').toBe(true);
      // Both classes, about half each.
      const ones = all.filter((s) => s.y === 1).length;
      expect(ones).toBeGreaterThan(25);
      expect(ones).toBeLessThan(75);
    });
  }

  it('without noise, the spiral is the Playground\'s two arms exactly (in a seeded order)', () => {
    const d = pointSet('spiral', { count: 6, seed: 7, trainFraction: 1 });
    const arm = (deltaT: number, label: number) =>
      [0, 1, 2].map((i) => {
        const r = (i / 3) * 5;
        const t = ((1.75 * i) / 3) * 2 * Math.PI + deltaT;
        return [r * Math.sin(t), r * Math.cos(t), label];
      });
    const key = (p: number[]) => p.map((v) => v.toFixed(9)).join(' ');
    const expected = [...arm(0, 1), ...arm(Math.PI, 0)].map(key).sort();
    expect(d.train.map((s) => key([...s.x, s.y])).sort()).toEqual(expected);
  });

  it('pins the points of a seed (a change to a generator is a change everyone sees)', () => {
    const d = pointSet('circle', { count: 4, noise: 0.3, seed: 7, trainFraction: 0.5 });
    const round = (v: number) => Math.round(v * 1e6) / 1e6 + 0;
    expect([...d.train, ...d.test].map((s) => [...s.x.map(round), s.y])).toMatchInlineSnapshot(`
      [
        [
          -4.295236,
          -0.547493,
          0,
        ],
        [
          0.011106,
          0.027072,
          1,
        ],
        [
          -0.536021,
          -4.615111,
          0,
        ],
        [
          0.729201,
          -1.080589,
          1,
        ],
      ]
    `);
  });

  it('without noise, circle and xor labels follow their rule exactly', () => {
    for (const s of pointSet('circle', { count: 300 }).train) expect(s.y).toBe(Math.hypot(s.x[0], s.x[1]) < 2.5 ? 1 : 0);
    for (const s of pointSet('xor', { count: 300 }).train) expect(s.y).toBe(s.x[0] * s.x[1] >= 0 ? 1 : 0);
  });

  it('noise mislabels some points', () => {
    const noisy = pointSet('xor', { count: 400, noise: 0.5 });
    const wrong = noisy.train.filter((s) => s.y !== (s.x[0] * s.x[1] >= 0 ? 1 : 0));
    expect(wrong.length).toBeGreaterThan(0);
  });

  it('refuses bad options', () => {
    expect(() => pointSet('circle', { count: 20_000 })).toThrow(/count/);
    expect(() => pointSet('circle', { noise: 0.9 })).toThrow(/noise/);
    expect(() => pointSet('circle', { trainFraction: 0 })).toThrow(/training share/);
  });

  it('a small network learns the circle (train and test accuracy)', () => {
    const d = pointSet('circle', { count: 200, noise: 0, seed: 3 });
    const config = mlpConfig({ inputs: 2, hidden: [{ units: 6, activation: 'tanh' }], biases: true, loss: 'crossEntropy', batch: 10 });
    const s = createMlp({ config, data: packFor(config, d.train), params: initialParams(config, 'random', 1), learningRate: 0.3 });
    const r = fitMlp(s, 300, packFor(config, d.test));
    expect(r.train.accuracy!).toBeGreaterThan(0.95);
    expect(r.test!.accuracy!).toBeGreaterThan(0.9);
  });
});

describe('dataset specs', () => {
  it('validate, with defaults, and make the same dataset each time', () => {
    const r = parseDatasetSpec({ kind: 'points', set: 'gaussians', seed: 9 });
    expect(r).toEqual({ ok: true, spec: { kind: 'points', set: 'gaussians', count: 200, noise: 0, trainFraction: 0.5, seed: 9 } });
    if (r.ok) expect(makeDataset(r.spec)).toEqual(makeDataset(r.spec));
    expect(makeDataset({ kind: 'truthTable', table: 'xor' }).train).toHaveLength(4);
  });

  it('refuse bad specs with readable errors', () => {
    const bad = (input: unknown) => {
      const r = parseDatasetSpec(input);
      expect(r.ok).toBe(false);
      return r.ok ? '' : r.errors.join('; ');
    };
    expect(bad({ kind: 'points', set: 'moons' })).toContain('set must be one of circle, xor, gaussians, spiral');
    expect(bad({ kind: 'points', set: 'circle', noise: 2 })).toContain('noise must be at most 0.5');
    expect(bad({ kind: 'truthTable', table: 'xor', inputs: 9 })).toContain('at most 4 inputs');
    expect(bad({ kind: 'image' })).toContain('kind must be');
  });

  it('split train and test reproducibly', () => {
    const rows = Array.from({ length: 10 }, (_, i) => i);
    const a = splitTrainTest(rows, 0.7, 5);
    expect(a).toEqual(splitTrainTest(rows, 0.7, 5));
    expect(a.train).toHaveLength(7);
    expect([...a.train, ...a.test].sort((x, y) => x - y)).toEqual(rows);
    expect(splitTrainTest(rows, 1, 5)).toEqual({ train: rows, test: [] });
  });
});

function errorsOf(r: CsvResult): string[] {
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.errors.map((e) => e.message);
}

describe('CSV uploads', () => {
  it('reads a file with a header', () => {
    const r = parseCsv('x1,x2,label\n0,1,1\n1.5,-2e-1,0\n');
    expect(r).toEqual({
      ok: true,
      table: {
        featureNames: ['x1', 'x2'],
        targetName: 'label',
        samples: [{ x: [0, 1], y: 1 }, { x: [1.5, -0.2], y: 0 }],
        header: true,
        delimiter: ',',
        binaryTarget: true,
      },
    });
  });

  it('reads a file without a header, with CRLF, a BOM, blank lines, quotes, spaces and semicolons', () => {
    const r = parseCsv('\uFEFF1; 2 ;"3.5"\r\n\r\n4;5;6\r\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.table.header).toBe(false);
    expect(r.table.delimiter).toBe(';');
    expect(r.table.featureNames).toEqual(['x1', 'x2']);
    expect(r.table.targetName).toBe('y');
    expect(r.table.samples).toEqual([{ x: [1, 2], y: 3.5 }, { x: [4, 5], y: 6 }]);
    expect(r.table.binaryTarget).toBe(false);
  });

  it('reads tabs', () => {
    const r = parseCsv('a\tb\n1\t0\n');
    expect(r.ok && r.table.delimiter).toBe('\t');
  });

  it('names the line and column of a text cell', () => {
    const r = parseCsv('x1,x2,y\n0,1,1\n0,abc,0\n');
    expect(r).toEqual({ ok: false, errors: [{ line: 3, column: 2, message: 'line 3, column 2 ("x2"): "abc" is not a number' }], moreErrors: 0 });
  });

  it('refuses a header cell holding a control or format character (a line separator of Python\'s, say), naming its line and column', () => {
    for (const c of [...LINE_SEPARATORS, '\0', '\t', '\u200b', '\u202e', '\ufeff']) {
      const r = parseCsv(`\n"a",b,"x1${c}!touch pwned",y\n1,2,3,0\n`);
      expect(r.ok, JSON.stringify(c)).toBe(false);
      if (r.ok) continue;
      // A quoted cell cannot span lines: with \n or \r in it, the quote is what is refused.
      expect(r.errors[0], JSON.stringify(c)).toMatchObject({ line: 2, column: 3 });
      if (!/[\n\r]/.test(c)) expect(r.errors[0].message).toMatch(/^line 2, column 3: the column name holds U\+[0-9A-F]{4} \(.+\) at character 3; it may hold only printable text$/);
    }
    // Printable text of any script, and the joiners emoji and Persian need, are names.
    const ok = parseCsv('Grüße,日本,👨\u200d👩\u200d👧,می\u200cخواهم,<y> $x$\n1,2,3,4,0\n');
    expect(ok.ok && ok.table.featureNames).toEqual(['Grüße', '日本', '👨\u200d👩\u200d👧', 'می\u200cخواهم']);
  });

  it('does not take NaN, Infinity, hex or a decimal comma for numbers', () => {
    const errs = errorsOf(parseCsv('1,NaN,0\n1,Infinity,0\n0x10,1,0\n"1,5",1,0\n'));
    expect(errs).toEqual([
      'line 1, column 2: "NaN" is not a number',
      'line 2, column 2: "Infinity" is not a number',
      'line 3, column 1: "0x10" is not a number',
      'line 4, column 1: "1,5" is not a number',
    ]);
  });

  it('names missing values', () => {
    const r = parseCsv('1,2,0\n1,,1\n,2,\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { line: 2, column: 2, message: 'line 2, column 2: missing value' },
      { line: 3, column: 1, message: 'line 3, column 1: missing value' },
      { line: 3, column: 3, message: 'line 3, column 3: missing value' },
    ]);
  });

  it('names ragged rows', () => {
    expect(errorsOf(parseCsv('a,b,c\n1,2,3\n1,2\n1,2,3,4\n'))).toEqual([
      'line 3 has 2 cells; it needs 3, as the first line has',
      'line 4 has 4 cells; it needs 3, as the first line has',
    ]);
  });

  it('refuses more than 10,000 rows', () => {
    const rows = Array.from({ length: CSV_LIMITS.maxRows + 1 }, (_, i) => `${i},1`).join('\n');
    expect(errorsOf(parseCsv(`x,y\n${rows}`))).toEqual(['the file has 10,001 data rows; at most 10,000']);
    expect(parseCsv(Array.from({ length: CSV_LIMITS.maxRows }, (_, i) => `${i},1`).join('\n')).ok).toBe(true);
  });

  it('refuses more than 16 features', () => {
    const line = Array.from({ length: 18 }, () => '1').join(',');
    expect(errorsOf(parseCsv(`${line}\n${line}\n`))).toEqual(['the file has 17 feature columns; at most 16 (the last column is the target)']);
    const ok = Array.from({ length: 17 }, () => '1').join(',');
    expect(parseCsv(`${ok}\n`).ok).toBe(true);
  });

  it('refuses an empty file, a header alone and a single column', () => {
    expect(errorsOf(parseCsv(''))).toEqual(['the file is empty']);
    expect(errorsOf(parseCsv('\n  \n\r\n'))).toEqual(['the file is empty']);
    expect(errorsOf(parseCsv('x,y\n'))).toEqual(['the file has a header but no data rows']);
    expect(errorsOf(parseCsv('1\n2\n'))).toEqual(['the first line has 1 column; the file needs at least 2 (one or more features, then the target)']);
  });

  it('names an unclosed quote', () => {
    expect(errorsOf(parseCsv('1,2\n"3,4\n'))).toEqual(['line 2, column 1: a quote is opened and never closed']);
  });

  it('lists the first 20 problems and counts the rest', () => {
    const r = parseCsv(['a,b', ...Array.from({ length: 30 }, () => 'x,1')].join('\n'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(20);
    expect(r.moreErrors).toBe(10);
    expect(r.errors[0]).toEqual({ line: 2, column: 1, message: 'line 2, column 1 ("a"): "x" is not a number' });
  });

  it('never throws, whatever it is given', () => {
    for (const input of [undefined, null, 42, {}, ['1,2'], '\u0000', '"', ',,,', '\n,\n', 'a,b\n"', '1e999,1']) {
      const r = parseCsv(input);
      expect(typeof r.ok).toBe('boolean');
    }
    expect(errorsOf(parseCsv(42))).toEqual(['the upload is not a text file']);
    expect(errorsOf(parseCsv('1e999,1'))).toEqual(['line 1, column 1: "1e999" is too large']);
  });

  it('never throws on arbitrary text, and every error names a line of the file', () => {
    const cell = fc.oneof(fc.double({ noNaN: true }).map(String), fc.constantFrom('', 'a', '"1"', '"', ' 2 ', '1e5', 'NaN'));
    const csvish = fc
      .tuple(fc.array(fc.array(cell, { maxLength: 5 }), { maxLength: 8 }), fc.constantFrom(',', ';', '\t'), fc.constantFrom('\n', '\r\n'))
      .map(([rows, d, nl]) => rows.map((r) => r.join(d)).join(nl));
    fc.assert(
      fc.property(fc.oneof(fc.string(), csvish), (text) => {
        const r = parseCsv(text);
        const lines = text.split(/\r\n|\n|\r/).length;
        if (r.ok) return r.table.samples.every((s) => s.x.every(Number.isFinite) && Number.isFinite(s.y));
        return r.errors.length > 0 && r.errors.every((e) => e.line >= 0 && e.line <= lines && e.message.length > 0);
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('becomes a dataset, in file order or split', () => {
    const text = ['x1,x2,y', ...Array.from({ length: 10 }, (_, i) => `${i},${-i},${i % 2}`)].join('\n');
    const whole = datasetFromCsv(text, { name: 'parity' });
    expect(whole.ok).toBe(true);
    if (!whole.ok) return;
    expect(whole.dataset.train.map((s) => s.x[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(whole.dataset.test).toEqual([]);
    const split = datasetFromCsv(text, { trainFraction: 0.8, seed: 2 });
    expect(split.ok && [split.dataset.train.length, split.dataset.test.length]).toEqual([8, 2]);
    expect(datasetFromCsv(text, { trainFraction: 0 }).ok).toBe(false);
    expect(datasetFromCsv('').ok).toBe(false);
  });
});
