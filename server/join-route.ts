import type { Request, Response, NextFunction } from 'express';
import { z } from 'zod';
import { normalizeJoinCode } from './ids.js';
import { joinCodeNotValid, notFound } from './error-pages.js';

/** A code as someone types it: `pww-mcd`, `PWW MCD`; longer text is not a code. */
const TYPED_CODE = z.string().max(40);
/** The join box of the 404 page submits `GET /join?code=…`. */
const JOIN_QUERY = z.object({ code: TYPED_CODE });

/**
 * `/<code>` the way people type `menti.com/1234`: any case, with or without the hyphen or spaces
 * (`/pwwmcd`, `/PWW-MCD`, `/pww%20mcd`), goes to that lecture's page. Whether the lecture exists is
 * the lecture page's to say, so one rule (the code's form) decides here and nothing is looked up.
 * Anything else falls through to the friendly 404.
 */
export function codeRedirect(req: Request, res: Response, next: NextFunction): void {
  const segment = /^\/([^/]+)\/?$/.exec(req.path)?.[1];
  const typed = segment === undefined ? undefined : TYPED_CODE.safeParse(decodeURIComponent(segment));
  const code = typed?.success ? normalizeJoinCode(typed.data.trim()) : null;
  if (code === null) return next();
  res.redirect(302, `/lecture/${code}`);
}

/** The 404 page's join box (a form, so it works before and without any script). */
export function joinFromForm(req: Request, res: Response): void {
  const query = JOIN_QUERY.safeParse(req.query);
  const code = query.success ? normalizeJoinCode(query.data.code.trim()) : null;
  if (code !== null) return res.redirect(302, `/lecture/${code}`);
  if (!query.success) return notFound(req, res);
  joinCodeNotValid(req, res);
}
