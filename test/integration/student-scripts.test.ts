/**
 * The student's first script graph in the built client (issue 12, "A page that loads fast"): the
 * entry chunk index.html loads, the lecture page's chunk (bp-app.ts imports it for /lecture/…) and
 * every chunk those import statically, read from Vite's manifest (dist/client/.vite/manifest.json).
 * That is what a phone must download and run before the stage strip can be drawn; it stays within
 * 150 KB as Brotli (the budget before first meaningful paint) and holds neither KaTeX,
 * uPlot nor the QR generator, which load when they are used. Sizes only: speed is measured by
 * `npm run bench -- --only student-page`. Needs `npm run build`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunksOf, initialScripts, readManifest } from '../../bench/lib/script-graph.js';
import { CLIENT_DIR } from '../support/server.js';
import { useServer } from '../support/suite.js';

const BUDGET_BROTLI = 150 * 1024;
const LECTURE_PAGE = 'components/lecture-page.ts';
const LATER = ['katex', 'uplot', 'qrcode-generator'];

describe("a student's first scripts", () => {
  if (!existsSync(join(CLIENT_DIR, '.vite', 'manifest.json'))) throw new Error('dist/client/.vite/manifest.json is missing: run npm run build first');
  const graph = initialScripts(CLIENT_DIR, [LECTURE_PAGE]);
  const suite = useServer();

  it('starts from the script index.html loads', () => {
    const html = readFileSync(join(CLIENT_DIR, 'index.html'), 'utf8');
    const src = /<script type="module"[^>]*src="\/([^"]+\.js)"/.exec(html)?.[1];
    expect(src).toBe(graph.files[0]);
    expect(graph.chunks).toContain(LECTURE_PAGE);
  });

  it('is at most 150 KB as Brotli', () => {
    expect(graph.brotliBytes, `${graph.files.join(', ')}: ${graph.brotliBytes} B`).toBeLessThanOrEqual(BUDGET_BROTLI);
  });

  it('leaves KaTeX, uPlot and the QR generator to chunks of their own, loaded later', () => {
    const manifest = readManifest(CLIENT_DIR);
    const all = { chunks: Object.keys(manifest) };
    for (const pkg of LATER) {
      // Split out at all (a static import anywhere would merge it into a shared chunk)…
      expect(chunksOf(all, pkg), pkg).toHaveLength(1);
      // …and not among the first scripts.
      expect(chunksOf(graph, pkg), pkg).toEqual([]);
    }
    for (const file of graph.files) expect(readFileSync(join(CLIENT_DIR, file), 'utf8'), file).not.toContain('KaTeX parse error');
  });

  it('does not serve the manifest it is read from', async () => {
    const res = await fetch(`${suite.server.url}/.vite/manifest.json`);
    expect(res.headers.get('content-type') ?? '').not.toMatch(/json/);
    expect(await res.text()).not.toContain('"isEntry"');
  });
});
