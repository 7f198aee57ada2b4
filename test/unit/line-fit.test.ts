import { describe, expect, it } from 'vitest';
import { fitLines, moreLinesText } from '../../client/lib/line-fit.js';

describe('fitLines: whole equation lines on a projector', () => {
  it('shows every line when they fit, with no note', () => {
    expect(fitLines([40, 40, 40], 120, 20)).toEqual({ shown: [0, 1, 2], more: 0 });
  });
  it('shows the lines from the top that fit whole with the note under them', () => {
    const fit = fitLines([40, 40, 40, 40], 119, 20);
    expect(fit).toEqual({ shown: [0, 1], more: 2 });
    expect(moreLinesText(fit)).toBe('+ 2 more lines on your screens');
  });
  it('always takes the line that must be seen (the spotlit element) first', () => {
    expect(fitLines([40, 40, 40, 40, 40], 100, 20, [3])).toEqual({ shown: [0, 3], more: 3 });
  });
  it('shows no line rather than a cut one, and says so', () => {
    const fit = fitLines([60, 60], 70, 20, [1]);
    expect(fit).toEqual({ shown: [], more: 2 });
    expect(moreLinesText(fit)).toBe('2 lines on your screens');
    expect(moreLinesText(fitLines([40, 40], 70, 20))).toBe('+ 1 more line on your screens');
  });
});
