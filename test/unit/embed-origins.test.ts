/** EMBED_ORIGINS as read from the environment (server/config.ts): who may frame /embed/:id. */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../server/config.js';

describe('EMBED_ORIGINS', () => {
  it('lets any site frame the embed page by default, none with off, else the origins listed', () => {
    expect(readConfig({}).embedOrigins).toEqual(['*']);
    expect(readConfig({ EMBED_ORIGINS: ' * ' }).embedOrigins).toEqual(['*']);
    expect(readConfig({ EMBED_ORIGINS: 'OFF' }).embedOrigins).toEqual([]);
    expect(readConfig({ EMBED_ORIGINS: 'https://Course.Example.org/, http://localhost:8080' }).embedOrigins).toEqual(['https://course.example.org', 'http://localhost:8080']);
  });

  it('refuses what is not an origin with the sentence that says why, rather than refuse every course page later', () => {
    for (const bad of ['https://course.example/page', 'course.example', 'javascript:alert(1)', "'self'", '*, https://a.example', 'https://a.example?x', "https://a.example; script-src *"]) {
      expect(() => readConfig({ EMBED_ORIGINS: bad }), bad).toThrow(/^EMBED_ORIGINS must be \*, off, or http\(s\) origins separated by commas/);
    }
  });
});
