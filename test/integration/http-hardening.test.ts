/**
 * Issue 10, findings 9 and 10: what a hostile browser or a mistyped address gets back. Error pages
 * are short and generic (no stack, no path) and cost one log line; every response carries the
 * security headers and a strict CSP; a cross-site page can neither post to the API (415 for
 * anything but JSON) nor open a socket.io connection from a foreign Origin.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { createApp, type AppOptions } from '../../server/app.js';
import { SqliteStore } from '../../server/sqlite-store.js';
import { readConfig } from '../../server/config.js';
import { createLecture, http } from '../support/clients.js';
import { CLIENT_DIR, startServer, type TestServer } from '../support/server.js';
import { logLinesDuring } from '../support/logs.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** What must never reach a browser: a stack trace, this machine's paths, our dependencies. */
function expectNoLeak(body: string): void {
  expect(body).not.toMatch(/\n\s+at /);
  expect(body).not.toContain(process.cwd());
  expect(body).not.toContain('node_modules');
  expect(body).not.toMatch(/URIError|SyntaxError/);
  expect(body.length).toBeLessThan(2000);
}

function lectureCount(): number {
  const db = new Database(join(server.dataDir, 'backprop-live.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM lectures').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('error pages', () => {
  it.each(['/lecture/%zz', '/replay/%zz', '/lecture/%zz/instructor'])('GET %s is a short 400 page with a way home and one log line', async (path) => {
    let res: Awaited<ReturnType<typeof http>> | undefined;
    const lines = await logLinesDuring(async () => (res = await http(server.url, 'GET', path)));
    expect(res!.status).toBe(400);
    expectNoLeak(res!.text);
    expect(res!.text).toContain('<meta name="viewport"');
    expect(res!.text).toContain('href="/"');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', method: 'GET', status: 400 });
  });

  it('answers an unknown page with a readable 404 that links home, and logs one line', async () => {
    let res: Awaited<ReturnType<typeof http>> | undefined;
    const lines = await logLinesDuring(async () => (res = await http(server.url, 'GET', '/lectur/ABC123')));
    expect(res!.status).toBe(404);
    expect(res!.text).toContain('<meta name="viewport"');
    expect(res!.text).toContain('href="/"');
    expectNoLeak(res!.text);
    expect(lines).toHaveLength(1);
  });

  it('answers API errors as short JSON without a stack, one log line each', async () => {
    const cases: { method: string; path: string; body?: string; status: number }[] = [
      { method: 'GET', path: '/api/lectures/%zz/state', status: 400 },
      { method: 'GET', path: '/api/no-such-route', status: 404 },
      { method: 'POST', path: '/api/lectures', body: '{"title": "unterminated', status: 400 },
    ];
    for (const c of cases) {
      let res: Awaited<ReturnType<typeof http>> | undefined;
      const lines = await logLinesDuring(async () => (res = await http(server.url, c.method, c.path, c.body)));
      expect(res!.status, c.path).toBe(c.status);
      expect(typeof res!.json?.error, c.path).toBe('string');
      expectNoLeak(res!.text);
      expect(lines, `${c.method} ${c.path}`).toHaveLength(1);
      expect(lines[0].status).toBe(c.status);
    }
  });
});

/** The CSP as a map from directive to its sources. */
function policy(header: string | null): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name, sources.join(' '));
  }
  return map;
}

describe('security headers', () => {
  it('are on every response: page, script, API, error and 404', async () => {
    const page = await fetch(`${server.url}/`);
    const html = await page.text();
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    expect(script, 'the built client is served (npm run build)').toBeTruthy();
    const paths = ['/', script!, '/api/health', '/api/lectures/%zz/state', '/lecture/%zz', '/no-such-page', '/lecture/ABC123'];
    for (const path of paths) {
      const res = await fetch(server.url + path);
      await res.arrayBuffer();
      const csp = policy(res.headers.get('content-security-policy'));
      expect(Object.fromEntries(csp), path).toEqual({
        'default-src': "'self'",
        'script-src': "'self'",
        'script-src-attr': "'none'",
        'style-src': "'self'",
        'style-src-elem': "'self'",
        // KaTeX's output and Lit's style bindings set style attributes; no <style> element, no inline script.
        'style-src-attr': "'unsafe-inline'",
        'img-src': "'self' data:",
        'font-src': "'self'",
        'connect-src': "'self'",
        'object-src': "'none'",
        'base-uri': "'none'",
        'form-action': "'self'",
        'frame-ancestors': "'none'",
      });
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-powered-by'), path).toBeNull();
    }
  });
});

describe('cross-site requests', () => {
  // What an HTML form or a no-cors fetch on another site can send without a preflight.
  const simpleTypes = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'];

  it('cannot create a lecture: anything but application/json is refused 415 and creates nothing', async () => {
    const before = lectureCount();
    for (const type of simpleTypes) {
      const res = await fetch(`${server.url}/api/lectures`, { method: 'POST', headers: { 'content-type': type }, body: '{"title":"csrf"}' });
      expect(res.status, type).toBe(415);
      expect((await res.json()).error).toMatch(/Content-Type: application\/json/);
    }
    const bodyless = await fetch(`${server.url}/api/lectures`, { method: 'POST' });
    expect(bodyless.status).toBe(415);
    expect(lectureCount()).toBe(before);
    // The real thing still works.
    expect((await http(server.url, 'POST', '/api/lectures', { title: 'fine' })).status).toBe(201);
    expect(lectureCount()).toBe(before + 1);
  });

  it('cannot send a command as text/plain, even with the token', async () => {
    const lecture = await createLecture(server.url);
    const res = await fetch(`${server.url}/api/lectures/${lecture.id}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${lecture.instructorToken}` },
      body: '{"type":"step"}',
    });
    expect(res.status).toBe(415);
    expect((await res.json()).error).toMatch(/application\/json/);
    expect((await http(server.url, 'GET', `/api/lectures/${lecture.id}/state`)).json.seq).toBe(0);
  });

  it('takes a CSV upload as text/csv or text/plain only', async () => {
    const lecture = await createLecture(server.url);
    const upload = (type: string) =>
      fetch(`${server.url}/api/lectures/${lecture.id}/dataset.csv?name=t`, {
        method: 'POST',
        headers: { 'content-type': type, authorization: `Bearer ${lecture.instructorToken}` },
        body: 'x,y\n0,0\n1,1\n',
      });
    const json = await upload('application/json');
    expect(json.status).toBe(415);
    expect((await json.json()).error).toMatch(/text\/csv/);
    expect((await http(server.url, 'GET', `/api/lectures/${lecture.id}/state`)).json.seq).toBe(0);
    expect((await upload('text/csv; charset=utf-8')).status).toBe(200);
    expect((await upload('text/plain')).status).toBe(200);
  });
});

type Transport = 'websocket' | 'polling';

/** Tries a socket.io connection as a browser on `origin` would (undefined: a non-browser client, no Origin). */
function connectFrom(url: string, lectureId: string, transport: Transport, origin?: string): Promise<'connected' | 'refused'> {
  const socket = io(url, {
    auth: { protocol: PROTOCOL_VERSION, lectureId },
    transports: [transport],
    extraHeaders: origin ? { Origin: origin } : {},
    forceNew: true,
    reconnection: false,
    timeout: 10_000,
  });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', () => resolve('refused'));
  }).finally(() => socket.close()) as Promise<'connected' | 'refused'>;
}

describe('socket.io and Origin', () => {
  it.each<Transport>(['websocket', 'polling'])('refuses a foreign Origin over %s, accepts its own host and no Origin', async (transport) => {
    const { id } = await createLecture(server.url);
    expect(await connectFrom(server.url, id, transport, 'http://evil.example')).toBe('refused');
    expect(await connectFrom(server.url, id, transport, 'null')).toBe('refused');
    expect(await connectFrom(server.url, id, transport, `http://evil.example:${server.port}`)).toBe('refused');
    expect(await connectFrom(server.url, id, transport, server.url)).toBe('connected');
    expect(await connectFrom(server.url, id, transport)).toBe('connected');
  });

  it('answers a refused handshake 403 and logs one line naming the Origin', async () => {
    let status = 0;
    const lines = await logLinesDuring(async () => {
      status = (await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'http://evil.example' } })).status;
    });
    expect(status).toBe(403);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', origin: 'http://evil.example' });
    expect(lines[0].msg).toContain('Origin is not this site');
  });

  describe('with PUBLIC_URL and ALLOWED_ORIGINS', () => {
    let other: { url: string; close(): Promise<void> };
    beforeAll(async () => {
      other = await startAppWith({ publicUrl: 'https://class.example.org/', allowedOrigins: ['http://localhost:5173'] });
    });
    afterAll(async () => {
      await other?.close();
    });

    it.each<Transport>(['websocket', 'polling'])('accepts exactly the public host and the listed origins over %s', async (transport) => {
      const { id } = await createLecture(other.url);
      expect(await connectFrom(other.url, id, transport, 'https://class.example.org')).toBe('connected');
      expect(await connectFrom(other.url, id, transport, 'http://localhost:5173')).toBe('connected');
      // With PUBLIC_URL set, a page that merely names this server's address (DNS rebinding) is foreign.
      expect(await connectFrom(other.url, id, transport, other.url)).toBe('refused');
      expect(await connectFrom(other.url, id, transport, 'http://evil.example')).toBe('refused');
      expect(await connectFrom(other.url, id, transport)).toBe('connected');
    });
  });
});

describe('ALLOWED_ORIGINS', () => {
  it('is read as comma-separated origins, and a bad entry stops the server with a sentence', () => {
    expect(readConfig({}).allowedOrigins).toEqual([]);
    expect(readConfig({ ALLOWED_ORIGINS: ' https://A.example/ , http://localhost:5173,' }).allowedOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(() => readConfig({ ALLOWED_ORIGINS: 'https://ok.example,evil' })).toThrow(/ALLOWED_ORIGINS .*"evil" is not one/);
    expect(() => readConfig({ ALLOWED_ORIGINS: 'file:///etc' })).toThrow(/ALLOWED_ORIGINS/);
  });
});

/** The real app with settings startServer does not take (PUBLIC_URL, ALLOWED_ORIGINS). */
async function startAppWith(options: Pick<AppOptions, 'publicUrl' | 'allowedOrigins'>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'backprop-live-'));
  const store = new SqliteStore(join(dataDir, 'backprop-live.sqlite'));
  const app = createApp({ store, clientDir: CLIENT_DIR, ...options });
  await new Promise<void>((ready) => app.server.listen(0, '127.0.0.1', ready));
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
