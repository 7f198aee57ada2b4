import { normalizeJoinCode } from '../../shared/protocol/join-code.js';

/** Client-side routes: the server serves index.html for all of them. */
export type Route =
  | { page: 'home' }
  | { page: 'lecture'; id: string; role: 'student' | 'instructor' }
  /** The class's shared screen: what students see, made for a wall; no token. */
  | { page: 'projector'; id: string }
  | { page: 'replay'; id: string }
  /** The replay alone, for other sites to frame (the one page the server lets them: security-headers.ts). */
  | { page: 'embed'; id: string }
  | { page: 'not-found'; path: string };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'home' };
  if (parts[0] === 'lecture' && (parts.length === 2 || (parts.length === 3 && parts[2] === 'instructor'))) {
    return { page: 'lecture', id: normalizeJoinCode(parts[1]) ?? parts[1], role: parts.length === 3 ? 'instructor' : 'student' };
  }
  if (parts[0] === 'lecture' && parts.length === 3 && parts[2] === 'projector') return { page: 'projector', id: normalizeJoinCode(parts[1]) ?? parts[1] };
  if (parts[0] === 'replay' && parts.length === 2) return { page: 'replay', id: normalizeJoinCode(parts[1]) ?? parts[1] };
  if (parts[0] === 'embed' && parts.length === 2) return { page: 'embed', id: normalizeJoinCode(parts[1]) ?? parts[1] };
  return { page: 'not-found', path: pathname };
}
