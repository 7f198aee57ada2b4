import type { IncomingMessage } from 'node:http';
import { clip } from './error-pages.js';
import { log } from './log.js';

/**
 * Which web pages may open a socket.io connection. A WebSocket is not bound by CORS, so without
 * this check any site a student visits could join a lecture in their name, or try instructor
 * tokens, from their browser.
 */
export interface OriginPolicy {
  /** The server's public address (PUBLIC_URL): when set, only its host counts as this site. */
  readonly publicUrl?: string;
  /** More origins allowed (ALLOWED_ORIGINS), e.g. a dev server on another port. */
  readonly allowedOrigins?: readonly string[];
}

/** `https://a.example:8443/path` → `https://a.example:8443`; null for what is not an http(s) origin. */
export function normalizeOrigin(text: string): string | null {
  try {
    const url = new URL(text.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** Whether a request from `origin` (the Origin header) to the server named `host` (the Host header) is same-site. */
export function originAllowed(origin: string | undefined, host: string | undefined, policy: OriginPolicy): boolean {
  // Browsers always send Origin on WebSocket and cross-origin requests; no Origin is a non-browser
  // client (a script, our tests), which could forge any header anyway.
  if (origin === undefined) return true;
  const from = normalizeOrigin(origin);
  if (!from) return false; // "null" (sandboxed frames, file:) and anything malformed
  if (policy.allowedOrigins?.some((allowed) => normalizeOrigin(allowed) === from)) return true;
  const fromHost = new URL(from).host;
  if (policy.publicUrl) {
    // Not the Host header: a page on a domain rebound to this server's address (DNS rebinding) sends
    // its own name as Host and as Origin, and would pass that comparison.
    const publicOrigin = normalizeOrigin(policy.publicUrl);
    return publicOrigin !== null && new URL(publicOrigin).host === fromHost;
  }
  if (!host) return false;
  const own = normalizeOrigin(`${new URL(from).protocol}//${host}`);
  return own !== null && new URL(own).host === fromHost;
}

/** socket.io's `allowRequest`: refuses the handshake (HTTP 403, polling or websocket) of a foreign page. */
export function allowSameSite(policy: OriginPolicy) {
  return (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    const allowed = originAllowed(req.headers.origin, req.headers.host, policy);
    // One line, so that a PUBLIC_URL that does not match what students type is easy to see.
    if (!allowed) log.warn({ origin: clip(String(req.headers.origin), 100), host: clip(String(req.headers.host), 100), publicUrl: policy.publicUrl }, 'socket.io handshake refused: its Origin is not this site');
    callback(allowed ? null : 'this page is on another site; open the lecture from its own address', allowed);
  };
}
