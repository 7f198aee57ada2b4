import type { NextFunction, Request, Response } from 'express';
import { normalizeJoinCode } from '../shared/protocol/join-code.js';
import { log } from './log.js';

/** Bounds of a log line: a hostile URL or body cannot make one long or split it in two. */
const MAX_LOGGED_PATH = 120;
const MAX_LOGGED_MESSAGE = 200;

export function clip(text: string, max: number): string {
  const clean = text.replace(/[\p{Cc}\p{Cf}]/gu, ' ');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * One line per failed request: status, method, path (clipped), the lecture its path names, why. A
 * client's mistake (4xx) is a warning without a stack; our own failure (5xx) is an error with the
 * stack (pino's `err`), to be fixed. What the request sent is in fields, never in `msg`.
 */
export function logFailedRequest(req: Request, status: number, err: unknown): void {
  const lecture = lectureOfPath(req.originalUrl);
  const fields = { status, method: req.method, path: clip(req.originalUrl, MAX_LOGGED_PATH), ...(lecture ? { lecture } : {}) };
  if (status >= 500) log.error({ ...fields, err }, `HTTP ${status}: the request failed`);
  else log.warn({ ...fields, reason: clip(err instanceof Error ? err.message : String(err), MAX_LOGGED_MESSAGE) }, `HTTP ${status}: the request was refused`);
}

/** The lecture a path names (`/api/lectures/:id/…`, `/lecture/:id`, `/replay/:id`), when it is a code; else undefined. */
function lectureOfPath(path: string): string | undefined {
  const segment = /^\/(?:api\/lectures|lecture|replay)\/([^/?#]+)/.exec(path)?.[1];
  if (!segment) return undefined;
  try {
    return normalizeJoinCode(decodeURIComponent(segment)) ?? undefined;
  } catch {
    return undefined; // a malformed %-escape names nothing
  }
}

/** The status an error asks for when it is the client's fault (URIError from a bad %-escape: 400); else 500. */
export function clientErrorStatus(err: unknown): number {
  if (err instanceof URIError) return 400;
  const e = err as { status?: unknown; statusCode?: unknown } | null;
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
  return status >= 400 && status < 500 ? status : 500;
}

const SENTENCES = new Map<number, { title: string; sentence: string }>([
  [400, { title: 'This address is not valid', sentence: 'The link seems to be cut or mistyped.' }],
  [404, { title: 'There is no page here', sentence: 'Check the address, or type the lecture’s join code below.' }],
]);
const FALLBACK = { title: 'Something went wrong', sentence: 'Please try again in a moment.' };
const NOT_A_CODE = {
  title: 'That is not a lecture code',
  sentence: 'A code is six letters and digits, as shown on the projector, like PWW-MCD. Try again:',
};

/** client/index.html's icon, so the browser does not ask for /favicon.ico (and get a second 404). */
const FAVICON = '<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 16 16%22%3E%3Ccircle cx=%228%22 cy=%228%22 r=%227%22 fill=%22%23e66101%22/%3E%3C/svg%3E">';

/** Pages that offer the join box: a student who mistyped the address is one code away from the lecture. */
const WITH_JOIN_BOX = new Set([404]);

/** Inputs at least 16 px (phones zoom into smaller ones) and ≥ 44 px tall to tap. */
const FIELD = 'font: inherit; padding: 0.5rem 0.6rem; min-height: 2.75rem; box-sizing: border-box; border: 1px solid #57606a; border-radius: 6px';

/** `GET /join?code=…` (server/join-route.ts) takes the code to its lecture. */
const JOIN_BOX = `<form action="/join" method="get" style="margin: 1.5rem 0">
<label for="code" style="display: block; font-weight: 600; margin-bottom: 0.4rem">Join a lecture</label>
<input id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="40" placeholder="PWW-MCD" required style="${FIELD}; width: 10rem">
<button type="submit" style="${FIELD}; background: #0b5cad; color: #fff; border-color: #0b5cad; cursor: pointer">Join</button>
</form>`;

/**
 * A small page a student can read on a phone: what happened, the join box where it helps, and a
 * way home. Nothing from the request or the error is echoed, so nothing needs escaping. Style
 * attributes only (the CSP allows no <style> element).
 */
export function errorPage(status: number, text = SENTENCES.get(status) ?? FALLBACK, joinBox = WITH_JOIN_BOX.has(status)): string {
  const { title, sentence } = text;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Backprop Live</title>${FAVICON}</head>
<body style="font: 1.1rem/1.5 system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328">
<main>
<h1 style="font-size: 1.5rem">${title}</h1>
<p>${sentence}</p>
${joinBox ? JOIN_BOX : ''}
<p><a href="/" style="color: #0b5cad">Go to the Backprop Live home page</a></p>
</main>
</body>
</html>
`;
}

/** Unknown pages outside /api: the readable 404 (the API router answers its own in JSON). */
export function notFound(req: Request, res: Response): void {
  logFailedRequest(req, 404, 'no such page');
  res.status(404).type('html').send(errorPage(404));
}

/** The join box held something that cannot be a code: say so, and offer the box again. */
export function joinCodeNotValid(req: Request, res: Response): void {
  logFailedRequest(req, 400, 'not a join code');
  res.status(400).type('html').send(errorPage(400, NOT_A_CODE, true));
}

/** The last handler: a generic page, never express's stack trace, and one log line. */
export function finalErrorHandler(err: unknown, req: Request, res: Response, next: NextFunction): void {
  const status = clientErrorStatus(err);
  logFailedRequest(req, status, err);
  if (res.headersSent) return next(err); // express ends the half-sent response
  res.status(status).type('html').send(errorPage(status));
}
