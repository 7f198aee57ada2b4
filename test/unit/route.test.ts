import { describe, expect, it } from 'vitest';
import { parseRoute } from '../../client/lib/route.js';

describe('parseRoute', () => {
  it('routes /lecture/:id/projector to the projector display, the code normalised', () => {
    expect(parseRoute('/lecture/abc234/projector')).toEqual({ page: 'projector', id: 'ABC234' });
    expect(parseRoute('/lecture/ABC234/projector/')).toEqual({ page: 'projector', id: 'ABC234' });
  });

  it('keeps the student and instructor routes as they were', () => {
    expect(parseRoute('/lecture/ABC234')).toEqual({ page: 'lecture', id: 'ABC234', role: 'student' });
    expect(parseRoute('/lecture/ABC234/instructor')).toEqual({ page: 'lecture', id: 'ABC234', role: 'instructor' });
  });

  it('refuses other third parts and longer paths', () => {
    expect(parseRoute('/lecture/ABC234/projectors').page).toBe('not-found');
    expect(parseRoute('/lecture/ABC234/projector/x').page).toBe('not-found');
  });
});
