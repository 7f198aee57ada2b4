/** Moment links (`?t=1:30`, `?seq=12`): written and read back, and hostile text read as no moment. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoment, MAX_MOMENT_MS, parseMoment, parseSeq } from '../../shared/protocol/moment-link.js';
import { LINE_SEPARATORS, PROTOTYPE_NAMES } from '../support/hostile.js';

describe('formatMoment', () => {
  it('writes mm:ss, and h:mm:ss past an hour, rounding down to the second', () => {
    expect([0, 999, 5_000, 90_000, 90_999, 3_599_999, 3_600_000, 3_723_000, 36_000_000].map((ms) => formatMoment(ms))).toEqual([
      '00:00',
      '00:00',
      '00:05',
      '01:30',
      '01:30',
      '59:59',
      '1:00:00',
      '1:02:03',
      '10:00:00',
    ]);
  });

  it('writes a fraction when asked', () => {
    expect(formatMoment(90_640, 1)).toBe('01:30.6');
    expect(formatMoment(90_640, 2)).toBe('01:30.64');
    expect(formatMoment(90_005, 3)).toBe('01:30.005');
    expect(formatMoment(3_723_400, 1)).toBe('1:02:03.4');
  });

  it('reads negative, NaN and infinite input as 0, and a moment past a week as a week', () => {
    expect([-5, NaN, Infinity, -Infinity].map((ms) => formatMoment(ms))).toEqual(['00:00', '00:00', '00:00', '00:00']);
    expect(formatMoment(1e15)).toBe(formatMoment(MAX_MOMENT_MS));
  });
});

describe('parseMoment', () => {
  it('reads mm:ss, m:ss, h:mm:ss, seconds and units, with up to three decimals', () => {
    const cases: Record<string, number> = {
      '1:30': 90_000,
      '01:30': 90_000,
      '0:05': 5_000,
      '90:00': 5_400_000,
      '1:02:03': 3_723_000,
      '90': 90_000,
      '90.5': 90_500,
      '0': 0,
      '1m30s': 90_000,
      '45s': 45_000,
      '2m': 120_000,
      '1h2m3s': 3_723_000,
      '1h': 3_600_000,
      '1:30.25': 90_250,
      ' 1:30 ': 90_000,
    };
    for (const [text, ms] of Object.entries(cases)) expect(parseMoment(text), text).toBe(ms);
  });

  it('reads back what formatMoment writes, to its precision', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MOMENT_MS }), fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>, (ms, digits) => {
        const unit = 10 ** (3 - digits);
        expect(parseMoment(formatMoment(ms, digits))).toBe(Math.floor(ms / unit) * unit);
      }),
      { numRuns: 500, seed: 16 },
    );
  });

  it('reads hostile text as no moment', () => {
    const hostile: unknown[] = [
      ...PROTOTYPE_NAMES,
      ...LINE_SEPARATORS,
      '',
      '   ',
      '-5',
      '+5',
      '-1:30',
      '1:60',
      '1:75',
      '1:60:00',
      '1::30',
      ':30',
      '1:30:',
      '1.5:30',
      'NaN',
      'Infinity',
      '1e3',
      '0x10',
      '1m30',
      'm',
      's',
      'h',
      '1s2m',
      '1:30.1234',
      '٣٠', // Arabic-Indic digits are not ours
      '9'.repeat(30),
      '99999999999',
      '1000:00:00',
      '169:00:00',
      `1:30${'\u0000'}`,
      '1:3'.repeat(3_500), // ~10 KB
      'x'.repeat(10_000),
      null,
      undefined,
      90,
      {},
      ['1:30'],
    ];
    for (const text of hostile) expect(parseMoment(text), JSON.stringify(text)?.slice(0, 40)).toBeNull();
  });

  it('never throws, and reads any text as null or a whole number of ms within a week', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^[0-9:.hms ]{0,14}$/), fc.anything()), (text) => {
        const ms = parseMoment(text);
        if (ms !== null) expect(Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_MOMENT_MS).toBe(true);
      }),
      { numRuns: 2_000, seed: 16 },
    );
  });

  it('accepts at most a week', () => {
    expect(parseMoment('168:00:00')).toBe(MAX_MOMENT_MS);
    expect(parseMoment('168:00:01')).toBeNull();
    expect(parseMoment(String(MAX_MOMENT_MS / 1000 + 1))).toBeNull();
  });
});

describe('parseSeq', () => {
  it('reads digits, and a seq past the end as the end', () => {
    expect(parseSeq('0', 10)).toBe(0);
    expect(parseSeq('7', 10)).toBe(7);
    expect(parseSeq('99', 10)).toBe(10);
    expect(parseSeq('5', 0)).toBe(0);
  });

  it('reads anything else as no event', () => {
    for (const text of [...PROTOTYPE_NAMES, '', ' 4', '4 ', '+3', '-1', '1e1', '0x10', '1.5', '9'.repeat(20), 'x'.repeat(10_000), null, 7, {}]) {
      expect(parseSeq(text, 100), JSON.stringify(text)?.slice(0, 40)).toBeNull();
    }
  });
});
