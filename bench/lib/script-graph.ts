/**
 * The scripts a page of the built client loads before it can draw, read from Vite's manifest
 * (dist/client/.vite/manifest.json, written by vite.config.ts): the entry chunk, the page's own
 * chunk (bp-app.ts imports each page dynamically) and everything those import statically. Dynamic
 * imports (KaTeX, uPlot, the console, the QR generator) are left out: they load later or elsewhere.
 * Used by the static-assets budget test and by the student-page bench.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

type Manifest = Record<string, ManifestChunk>;

export interface ScriptGraph {
  /** Files under the client folder (assets/…js), in load order of discovery. */
  files: string[];
  /** The manifest keys of the chunks (source paths for modules, `_name-hash.js` for shared chunks). */
  chunks: string[];
  /** Bytes of each file as Brotli at its best quality (what the build's .br copies hold). */
  brotliBytes: number;
  rawBytes: number;
}

export function readManifest(clientDir: string): Manifest {
  return JSON.parse(readFileSync(join(clientDir, '.vite', 'manifest.json'), 'utf8')) as Manifest;
}

/**
 * The static-import closure of the entry and of `pages` (manifest keys such as
 * 'components/lecture-page.ts'), with its size.
 */
export function initialScripts(clientDir: string, pages: readonly string[]): ScriptGraph {
  const manifest = readManifest(clientDir);
  const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
  if (!entry) throw new Error('the manifest has no entry chunk');
  const seen = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key)) return;
    const chunk = Object.hasOwn(manifest, key) ? manifest[key] : undefined;
    if (!chunk) throw new Error(`the manifest has no chunk ${key}`);
    seen.add(key);
    for (const next of chunk.imports ?? []) visit(next);
  };
  visit(entry);
  for (const page of pages) visit(page);
  const chunks = [...seen];
  const files = chunks.map((k) => manifest[k]!.file).filter((f) => f.endsWith('.js'));
  let brotliBytes = 0;
  let rawBytes = 0;
  for (const file of files) {
    const body = readFileSync(join(clientDir, file));
    rawBytes += body.length;
    brotliBytes += brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return { files, chunks, brotliBytes, rawBytes };
}

/** The manifest keys of the graph's script chunks made from the npm package `pkg` (e.g. katex; its fonts are not counted). */
export function chunksOf(graph: Pick<ScriptGraph, 'chunks'>, pkg: string): string[] {
  return graph.chunks.filter((k) => k.includes(`node_modules/${pkg}/`) && /\.(m?js|ts)$/.test(k));
}
