/**
 * A table recorded before header cells had to be printable text still makes its dataset when its
 * lecture is folded back (it was accepted then; nothing acknowledged is lost), while the same table
 * sent now is refused with the reason.
 */
import { describe, expect, it } from 'vitest';
import { provideCsvText } from '../../shared/datasets/csv-texts.js';
import { datasetProblem, makeDataset, type DatasetSpec } from '../../shared/datasets/spec.js';

describe('a table stored before the printable-header rule', () => {
  it('is read back with its names as they were, and refused as a new upload', () => {
    const digest = 'ab'.repeat(32);
    provideCsvText(digest, 'x1\x1c!touch pwned,x2,y\n0,1,1\n1,0,0\n');
    const spec: DatasetSpec = { kind: 'csv', name: 'old upload', digest, trainFraction: 1, seed: 1 };
    expect(datasetProblem(spec)).toMatch(/U\+001C/);
    const dataset = makeDataset(spec);
    expect(dataset.featureNames).toEqual(['x1\x1c!touch pwned', 'x2']);
    expect(dataset.train).toHaveLength(2);
  });
});
