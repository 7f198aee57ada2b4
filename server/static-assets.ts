import type { RequestHandler } from 'express';
import type { ServerResponse } from 'node:http';
import expressStaticGzip from 'express-static-gzip';
import { relative, sep } from 'node:path';

/** A year, the longest a cache keeps anything: the name changes when the content does. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** HTML names the hashed files of this build, so it is asked for again (a 304 when unchanged). */
const REVALIDATE = 'no-cache';
/** Anything else (none today): not hashed, so kept briefly. */
const SHORT = 'public, max-age=3600';

/**
 * The built client, precompressed at build (vite.config.ts writes a .br and a .gz beside each text
 * file): brotli or gzip by the browser's Accept-Encoding, the plain file otherwise. Vite's hashed
 * files under assets/ are cached for good; HTML is revalidated on every load.
 */
export function clientFiles(clientDir: string): RequestHandler {
  const files: RequestHandler = expressStaticGzip(clientDir, {
    enableBrotli: true,
    // Brotli is a fifth smaller than gzip for our scripts; every browser that accepts it prefers it.
    orderPreference: ['br', 'gzip'],
    index: 'index.html',
    serveStatic: {
      cacheControl: false, // set below, per file
      setHeaders: (res: ServerResponse, path: string) => res.setHeader('Cache-Control', cachePolicy(clientDir, path)),
    },
  });
  // express-static-gzip answers a bad %-escape with a bare text/plain 400; ours is the readable page.
  return (req, res, next) => {
    try {
      decodeURIComponent(req.path);
    } catch (err) {
      return next(err);
    }
    files(req, res, next);
  };
}

/** `path` is the file sent, so index.html.br is HTML and assets/x-abc.js.gz is hashed. */
function cachePolicy(clientDir: string, path: string): string {
  const inside = relative(clientDir, path).split(sep);
  if (inside.length > 1 && inside[0] === 'assets') return IMMUTABLE;
  if (/\.html(\.br|\.gz)?$/.test(path)) return REVALIDATE;
  return SHORT;
}

/**
 * Client-side routes (/lecture/…, /replay/…): the single page, served as /index.html is, compressed
 * the same way and never cached without asking.
 */
export function singlePage(files: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const url = req.url;
    req.url = '/index.html';
    files(req, res, (err?: unknown) => {
      req.url = url;
      next(err);
    });
  };
}
