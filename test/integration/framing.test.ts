/**
 * Issue 16: which responses another site may frame. The embed page (/embed/:id) alone, by
 * frame-ancestors `*` (or EMBED_ORIGINS) and without X-Frame-Options; every other page, the API,
 * the scripts and the look-alike addresses keep frame-ancestors 'none' and X-Frame-Options DENY.
 * The rest of the policy is the same everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLecture } from '../support/clients.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer;
let id: string;
beforeAll(async () => {
  server = await startServer();
  id = (await createLecture(server.url, { preset: 'notebook' })).id;
});
afterAll(async () => {
  await server?.close();
});

interface Framing {
  status: number;
  type: string | null;
  csp: Map<string, string>;
  xFrameOptions: string | null;
  corp: string | null;
}

async function framing(url: string, method = 'GET'): Promise<Framing> {
  const res = await fetch(url, { method, redirect: 'manual' });
  await res.arrayBuffer();
  const csp = new Map<string, string>();
  for (const part of (res.headers.get('content-security-policy') ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) csp.set(name, sources.join(' '));
  }
  return { status: res.status, type: res.headers.get('content-type'), csp, xFrameOptions: res.headers.get('x-frame-options'), corp: res.headers.get('cross-origin-resource-policy') };
}

/** Everything in the policy but frame-ancestors: the embed page relaxes that one line only. */
function withoutFrameAncestors(csp: Map<string, string>): Record<string, string> {
  return Object.fromEntries([...csp].filter(([name]) => name !== 'frame-ancestors'));
}

describe('framing', () => {
  it('lets any site frame the embed page, at any moment, and nothing else about its policy changes', async () => {
    const strict = await framing(`${server.url}/replay/${id}`);
    for (const path of [`/embed/${id}`, `/embed/${id}/`, `/embed/${id}?t=1:05`, `/embed/${id}?seq=3`, `/embed/${id.toLowerCase()}`]) {
      const page = await framing(server.url + path);
      expect(page.status, path).toBe(200);
      expect(page.type, path).toMatch(/^text\/html/);
      expect(page.csp.get('frame-ancestors'), path).toBe('*');
      expect(page.xFrameOptions, path).toBeNull();
      expect(page.corp, path).toBe('cross-origin');
      expect(withoutFrameAncestors(page.csp), path).toEqual(withoutFrameAncestors(strict.csp));
    }
    const head = await framing(`${server.url}/embed/${id}`, 'HEAD');
    expect([head.status, head.csp.get('frame-ancestors'), head.xFrameOptions]).toEqual([200, '*', null]);
  });

  it('keeps every other page, the API, the files and every look-alike address unframable', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    expect(script, 'the built client is served (npm run build)').toBeTruthy();
    const paths = [
      '/',
      `/lecture/${id}`,
      `/lecture/${id}/instructor`,
      `/lecture/${id}/projector`,
      `/replay/${id}`,
      `/replay/${id}?t=1:05`,
      script!,
      `/api/lectures/${id}/recording`,
      `/api/lectures/${id}/state`,
      `/api/embed/${id}`,
      `/${id}`,
      '/embed',
      '/embed/',
      `/embedX/${id}`,
      `/embeds/${id}`,
      `/embed/${id}/instructor`,
      `/embed/${id}/x/`,
      `/embed//${id}`,
      `//embed/${id}`,
      `/lecture/${id}/embed/${id}`,
      `/EMBED/${id}`,
      '/no-such-page',
    ];
    for (const path of paths) {
      const res = await framing(server.url + path);
      expect(res.csp.get('frame-ancestors'), path).toBe("'none'");
      expect(res.xFrameOptions, path).toBe('DENY');
      expect(res.corp, path).toBe('same-origin');
    }
    // Only reading is relaxed: a POST to the embed address is an ordinary unframable 404.
    const post = await framing(`${server.url}/embed/${id}`, 'POST');
    expect([post.status, post.csp.get('frame-ancestors'), post.xFrameOptions]).toEqual([404, "'none'", 'DENY']);
  });
});

describe('EMBED_ORIGINS', () => {
  it('a list: only those sites may frame the embed page; the other pages stay unframable', async () => {
    const listed = await startServer({ app: { embedOrigins: ['https://course.example.org', 'http://localhost:8080'] } });
    try {
      const embed = await framing(`${listed.url}/embed/ABC234`);
      expect([embed.csp.get('frame-ancestors'), embed.xFrameOptions]).toEqual(['https://course.example.org http://localhost:8080', null]);
      const replay = await framing(`${listed.url}/replay/ABC234`);
      expect([replay.csp.get('frame-ancestors'), replay.xFrameOptions]).toEqual(["'none'", 'DENY']);
    } finally {
      await listed.close();
    }
  });

  it('off (an empty list): the embed page is as unframable as the rest', async () => {
    const off = await startServer({ app: { embedOrigins: [] } });
    try {
      const embed = await framing(`${off.url}/embed/ABC234`);
      expect([embed.status, embed.csp.get('frame-ancestors'), embed.xFrameOptions, embed.corp]).toEqual([200, "'none'", 'DENY', 'same-origin']);
    } finally {
      await off.close();
    }
  });
});
