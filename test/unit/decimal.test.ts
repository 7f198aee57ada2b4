import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDecimal, parseWholeNumber } from '../../shared/protocol/decimal.js';

describe('parseDecimal', () => {
  it.each([
    ['0.01', 0.01],
    ['0,01', 0.01],
    ['.5', 0.5],
    [',5', 0.5],
    ['5.', 5],
    ['-0.5', -0.5],
    ['\u22120.5', -0.5],
    ['+2', 2],
    ['1e-3', 0.001],
    ['1E3', 1000],
    ['1,5e-3', 0.0015],
    ['2e\u22122', 0.02],
    ['  0.25 ', 0.25],
    ['\u00a00,25\t', 0.25],
    ['-0', 0],
    ['007', 7],
    ['1,234', 1.234],
    ['1e+21', 1e21],
  ])('reads %j as %d', (text, value) => {
    expect(parseDecimal(text)).toEqual({ ok: true, value });
  });

  it.each([
    ['1,234.5', 'ambiguous: use one decimal separator, no thousands separator'],
    ['1.234,5', 'ambiguous: use one decimal separator, no thousands separator'],
    ['1,2,3', 'more than one decimal separator'],
    ['1.2.3', 'more than one decimal separator'],
    ['--1', 'sign out of place'],
    ['+-1', 'sign out of place'],
    ['1-2', 'sign out of place'],
    ['0x10', 'not a decimal number'],
    ['Infinity', 'not a finite number'],
    ['-Infinity', 'not a finite number'],
    ['NaN', 'not a finite number'],
    ['', 'Type a number'],
    ['   ', 'Type a number'],
    ['abc', 'is not a number'],
    ['1a', 'is not a number'],
    ['½', 'is not a number'],
    ['.', 'Type some digits'],
    ['-', 'Type some digits'],
    ['1e', 'exponent after e needs digits'],
    ['1e-', 'exponent after e needs digits'],
    ['1 000', 'No spaces inside a number'],
    ['1e400', 'too large'],
    ['1e-400', 'too small to tell apart from 0'],
  ])('refuses %j with a sentence', (text, reason) => {
    const result = parseDecimal(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain(reason);
      expect(result.error).toMatch(/^\S.*\.$/); // a sentence: starts with a word, ends with a full stop
    }
  });

  it('keeps to bounds, saying which', () => {
    expect(parseDecimal('101', { min: 0, max: 100 })).toEqual({ ok: false, error: 'Keep it between 0 and 100.' });
    expect(parseDecimal('-1', { min: 0 })).toEqual({ ok: false, error: 'Use 0 or more.' });
    expect(parseDecimal('2', { max: 1 })).toEqual({ ok: false, error: 'Use 1 or less.' });
    expect(parseDecimal('-1e7', { min: -1e6, max: 1e6 })).toEqual({ ok: false, error: 'Keep it between \u22121000000 and 1000000.' });
    expect(parseDecimal('100', { min: 0, max: 100 })).toEqual({ ok: true, value: 100 });
  });

  it('every finite double reads back as itself, written with a point or a comma', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const written = String(x);
        const expected = x + 0; // String(-0) is "0"
        expect(parseDecimal(written)).toEqual({ ok: true, value: expected });
        expect(parseDecimal(written.replace('.', ','))).toEqual({ ok: true, value: expected });
        expect(parseDecimal(written.replace('-', '\u2212'))).toEqual({ ok: true, value: expected });
      }),
      { numRuns: 2000 },
    );
  });

  it('never returns a number unless the text is a plain number (no characters silently dropped)', () => {
    const chars = fc.constantFrom(...'0123456789.,eE+-\u2212 x_'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 10 }).map((a) => a.join('')), (text) => {
        const result = parseDecimal(text);
        if (!result.ok) return;
        // Whatever it accepted, JavaScript reads the same once the comma and − are spelled its way.
        const js = text.trim().replace(',', '.').replace(/\u2212/g, '-');
        expect(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(js)).toBe(true);
        expect(result.value).toBe(Number(js) + 0);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseWholeNumber', () => {
  it.each([
    ['1000', 1000],
    ['2.0', 2],
    ['1e3', 1000],
    ['\u22123', -3],
  ])('reads %j as %d', (text, value) => {
    expect(parseWholeNumber(text)).toEqual({ ok: true, value });
  });

  it('refuses a fraction with the reason', () => {
    expect(parseWholeNumber('2.5')).toEqual({ ok: false, error: 'Use a whole number here: 2.5 has a fractional part (try 3).' });
    expect(parseWholeNumber('2,5', { min: 1 })).toMatchObject({ ok: false, error: expect.stringContaining('whole number') });
  });

  it('refuses what parseDecimal refuses, and checks bounds after wholeness', () => {
    expect(parseWholeNumber('1,2,3').ok).toBe(false);
    expect(parseWholeNumber('0', { min: 1, max: 100000 })).toEqual({ ok: false, error: 'Keep it between 1 and 100000.' });
  });
});
