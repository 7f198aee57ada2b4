/**
 * The built client over real HTTP (issue 12, "A page that loads fast" and "Joining as people type
 * it"): precompressed brotli and gzip by Accept-Encoding, year-long caching for hashed files and
 * revalidation for HTML, `/<code>` as people type it redirected to the lecture, and our own 404
 * page for everything else. Needs `npm run build` (the test suite's pretest builds).
 */
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CLIENT_DIR } from '../support/server.js';
import { useServer } from '../support/suite.js';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET with exactly these headers: node:http sends no Accept-Encoding of its own and decodes nothing. */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The entry script index.html loads: /assets/index-<hash>.js. */
function mainScript(): string {
  const html = readFileSync(join(CLIENT_DIR, 'index.html'), 'utf8');
  const src = /<script type="module"[^>]*src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  if (!src) throw new Error('no module script in dist/client/index.html');
  return src;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('static assets', () => {
  if (!existsSync(join(CLIENT_DIR, 'index.html'))) throw new Error('dist/client is missing: run npm run build first');
  const suite = useServer();

  it('sends the main script brotli-encoded, gzip-encoded or plain as asked, the same bytes each way', async () => {
    const base = suite.server.url;
    const path = mainScript();
    const plainOnDisk = readFileSync(join(CLIENT_DIR, path));
    const br = await get(base, path, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/);
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(br.body.length).toBeLessThan(plainOnDisk.length / 2);
    expect(brotliDecompressSync(br.body).equals(plainOnDisk)).toBe(true);

    const gz = await get(base, path, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plainOnDisk)).toBe(true);

    const plain = await get(base, path);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(plainOnDisk)).toBe(true);
  });

  it('caches hashed assets for a year, immutable, and makes HTML revalidate', async () => {
    const base = suite.server.url;
    for (const encoding of ['br', 'gzip', 'identity']) {
      const script = await get(base, mainScript(), { 'accept-encoding': encoding });
      expect(script.headers['cache-control'], encoding).toBe(IMMUTABLE);
    }
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(readFileSync(join(CLIENT_DIR, 'index.html'), 'utf8'))?.[1];
    expect((await get(base, css!, { 'accept-encoding': 'br' })).headers['cache-control']).toBe(IMMUTABLE);
    for (const path of ['/', '/index.html', '/lecture/PWWMCD', '/lecture/PWWMCD/instructor', '/replay/PWWMCD']) {
      const page = await get(base, path, { 'accept-encoding': 'br' });
      expect(page.status, path).toBe(200);
      expect(page.headers['cache-control'], path).toBe('no-cache');
      expect(page.headers['content-type'], path).toMatch(/^text\/html/);
      // The single page, compressed like any other file.
      expect(page.headers['content-encoding'], path).toBe('br');
      expect(brotliDecompressSync(page.body).toString('utf8'), path).toContain('<bp-app>');
    }
  });

  it('redirects a code typed as people type it to its lecture page', async () => {
    const base = suite.server.url;
    for (const path of ['/pwwmcd', '/PWWMCD', '/PWW-MCD', '/pww-mcd/', '/pww%20mcd', '/%20pww%20mcd%20', '/pww.mcd', '/PWW%E2%80%93MCD']) {
      const res = await get(base, path);
      expect(res.status, path).toBe(302);
      expect(res.headers.location, path).toBe('/lecture/PWWMCD');
    }
    // The 404 page's join box (a plain form) lands on the same place.
    const form = await get(base, '/join?code=pww-mcd');
    expect(form.status).toBe(302);
    expect(form.headers.location).toBe('/lecture/PWWMCD');
  });

  it('answers anything else with its own readable 404 page, join box included', async () => {
    const base = suite.server.url;
    // Not a code: O and 0, I and 1 are not in the alphabet; too short; too long; two segments.
    for (const path of ['/nope/nope', '/PWWMC0', '/pwwmc', '/pwwmcdx', '/assets/nothing.js', '/%E2%80%AEpwwmcd']) {
      const res = await get(base, path);
      expect(res.status, path).toBe(404);
      expect(res.headers['content-type'], path).toMatch(/^text\/html/);
      const page = res.body.toString('utf8');
      expect(page, path).toContain('<meta name="viewport"');
      expect(page, path).not.toContain('Cannot GET');
      expect(page, path).toMatch(/<form action="\/join" method="get"/);
      expect(page, path).toContain('<a href="/"');
    }
    // A broken %-escape gets the readable 400 page, not express-static-gzip's bare text.
    for (const path of ['/lecture/%zz', '/%zz', '/assets/%zz.js']) {
      const broken = await get(base, path);
      expect(broken.status, path).toBe(400);
      expect(broken.body.toString('utf8'), path).toContain('<meta name="viewport"');
    }
    const wrong = await get(base, '/join?code=hello');
    expect(wrong.status).toBe(400);
    expect(wrong.body.toString('utf8')).toContain('That is not a lecture code');
    const repeated = await get(base, '/join?code=a&code=b');
    expect(repeated.status).toBe(404);
    // The API keeps its JSON 404.
    const api = await get(base, '/api/nothing');
    expect(api.status).toBe(404);
    expect(api.headers['content-type']).toMatch(/json/);
  });
});
