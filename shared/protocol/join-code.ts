/**
 * A lecture's join code: six characters without 0/O or 1/I/L, so a code read off a projector is
 * typed right. One rule for the server (handshake, API, the `/<code>` redirect) and the client
 * (routes, the join box, remembered lectures).
 */
export const JOIN_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const JOIN_CODE_LENGTH = 6;

const JOIN_CODE = new RegExp(`^[${JOIN_CODE_ALPHABET}]{${JOIN_CODE_LENGTH}}$`);

/** Whether a string is a code exactly as the server issues them (upper case, no separators). */
export function isJoinCode(code: string): boolean {
  return JOIN_CODE.test(code);
}

/**
 * What someone typed (or a URL held) as a lecture code, or null if it cannot be one: any case,
 * and the hyphen, spaces and dots people add when reading a code aloud (`k7q-fm2` is `K7QFM2`).
 */
export function normalizeJoinCode(input: string): string | null {
  const code = input.trim().toUpperCase().replace(/[\s\-‐‑–—·.]/g, '');
  return isJoinCode(code) ? code : null;
}
