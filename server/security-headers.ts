import helmet from 'helmet';
import type { Request, RequestHandler } from 'express';

/**
 * The Content-Security-Policy of every response. Only our own scripts, styles, fonts and
 * connections; nothing may frame the app. Written out in full (no helmet defaults) so that what
 * the browser enforces is exactly what is read here.
 */
export const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  // Lit's `static styles` are constructable stylesheets (adoptedStyleSheets), which CSP does not
  // govern; the built CSS is a file. No <style> element is needed, so none is allowed.
  'style-src': ["'self'"],
  'style-src-elem': ["'self'"],
  // KaTeX's HTML sizes its glyphs with style="…" attributes and Lit templates bind style
  // attributes (cell colours, replay ticks). Attributes cannot run script; that is all this opens.
  'style-src-attr': ["'unsafe-inline'"],
  // The favicon is a data: SVG; the QR code is inline SVG; charts are canvases.
  'img-src': ["'self'", 'data:'],
  // KaTeX's fonts are files Vite emits (vite.config.ts never inlines them as data: URLs).
  'font-src': ["'self'"],
  // fetch to /api and socket.io (polling and ws:/wss: of this host; CSP3 'self' covers them).
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  // No one frames a lecture (clickjacking the instructor console). The embeddable replay
  // (/embed/:id, embedPage below) is the one deliberate exception.
  'frame-ancestors': ["'none'"],
} as const;

/** Who may frame the embeddable replay by default (EMBED_ORIGINS unset): any site. */
export const ANY_EMBEDDER: readonly string[] = ['*'];

/**
 * The embeddable player's page, `/embed/<code>` (a trailing slash allowed, any query): the only
 * address another site may frame. One path segment exactly, so `/embedX`, `/embed`, `/embed/a/b`
 * and everything under /api keep the app's no-framing rule. Every path this matches, the client
 * routes to the embed page (client/lib/route.ts), which only replays: it sends no command.
 */
const EMBED_PAGE = /^\/embed\/[^/]+\/?$/;

/** Whether a request is for the embeddable player's page (a GET or HEAD of EMBED_PAGE). */
export function isEmbedPage(req: Pick<Request, 'method' | 'path'>): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && EMBED_PAGE.test(req.path);
}

/**
 * Security headers on every HTTP response: the CSP above, nosniff, no referrer, no framing.
 * The embed page alone is framable by `embedAncestors` (CSP frame-ancestors sources: `*`, the
 * default, or origins; empty: nobody, as everywhere else), without X-Frame-Options, which can
 * only say DENY or SAMEORIGIN; and its HTML may be loaded by an embedder that sets
 * Cross-Origin-Embedder-Policy (CORP cross-origin). Everything else is as strict as before.
 */
export function securityHeaders(embedAncestors: readonly string[] = ANY_EMBEDDER): RequestHandler {
  const everywhere = helmet(headers(CSP_DIRECTIVES['frame-ancestors']));
  const embed = embedAncestors.length === 0 ? everywhere : helmet(headers(embedAncestors));
  return (req, res, next) => (isEmbedPage(req) ? embed : everywhere)(req, res, next);
}

/** Helmet's options with these frame-ancestors; framable (not 'none') also drops X-Frame-Options. */
function headers(frameAncestors: readonly string[]): Parameters<typeof helmet>[0] {
  const framable = !(frameAncestors.length === 1 && frameAncestors[0] === "'none'");
  return {
    contentSecurityPolicy: { useDefaults: false, directives: { ...CSP_DIRECTIVES, 'frame-ancestors': frameAncestors } },
    // Instructor links carry their token in the #fragment, which is never sent; a referrer would still
    // tell other sites which lecture a student came from.
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: framable ? false : { action: 'deny' },
    crossOriginResourcePolicy: { policy: framable ? 'cross-origin' : 'same-origin' },
    // Ignored by browsers over plain HTTP (a classroom LAN); behind a TLS proxy it keeps them on HTTPS.
    // Not for subdomains: this app cannot speak for its neighbours.
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
  };
}
