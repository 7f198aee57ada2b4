import helmet from 'helmet';
import type { RequestHandler } from 'express';

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
  // No one frames a lecture (clickjacking the instructor console). An embeddable replay may relax
  // this later, on its own route, deliberately.
  'frame-ancestors': ["'none'"],
} as const;

/** Security headers on every HTTP response: the CSP above, nosniff, no referrer, no framing. */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    // Instructor links carry their token in the #fragment, which is never sent; a referrer would still
    // tell other sites which lecture a student came from.
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    // Ignored by browsers over plain HTTP (a classroom LAN); behind a TLS proxy it keeps them on HTTPS.
    // Not for subdomains: this app cannot speak for its neighbours.
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
  });
}
