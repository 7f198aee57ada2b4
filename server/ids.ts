import { createHash, timingSafeEqual } from 'node:crypto';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from '../shared/protocol/join-code.js';
import type { RandomSource } from './ports.js';

export { normalizeJoinCode } from '../shared/protocol/join-code.js';

export function newJoinCode(random: RandomSource): string {
  // Rejection sampling keeps every character equally likely.
  const limit = 256 - (256 % JOIN_CODE_ALPHABET.length);
  let code = '';
  while (code.length < JOIN_CODE_LENGTH) {
    for (const byte of random.bytes(JOIN_CODE_LENGTH * 2)) {
      if (byte < limit && code.length < JOIN_CODE_LENGTH) code += JOIN_CODE_ALPHABET[byte % JOIN_CODE_ALPHABET.length];
    }
  }
  return code;
}

export function newToken(random: RandomSource): string {
  return Buffer.from(random.bytes(32)).toString('base64url');
}

export function newSeed(random: RandomSource): number {
  return Buffer.from(random.bytes(4)).readUInt32LE(0);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function tokenMatches(token: string, expectedHash: string): boolean {
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(expectedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
