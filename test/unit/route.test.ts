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

  it('routes /embed/:id to the embed page, and only the paths the server lets other sites frame', () => {
    expect(parseRoute('/embed/abc234')).toEqual({ page: 'embed', id: 'ABC234' });
    expect(parseRoute('/embed/ABC234/')).toEqual({ page: 'embed', id: 'ABC234' });
    // What server/security-headers.ts leaves unframable is no embed page either.
    for (const path of ['/embed', '/embed/ABC234/instructor', '/embedX/ABC234', '/EMBED/ABC234']) expect(parseRoute(path).page, path).toBe('not-found');
  });

  it('refuses other third parts and longer paths', () => {
    expect(parseRoute('/lecture/ABC234/projectors').page).toBe('not-found');
    expect(parseRoute('/lecture/ABC234/projector/x').page).toBe('not-found');
  });
});
