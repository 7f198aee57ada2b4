import { JOIN_CODE_ALPHABET } from '../../shared/protocol/join-code.js';

/**
 * The first key of every lecture's advisory lock (pg_try_advisory_lock(namespace, lecture)), so
 * that no other use of advisory locks on the database (the migration lock is a one-key lock) can
 * collide with an owner's. Any constant; the same on every node. "BPLV".
 */
export const OWNER_LOCK_NAMESPACE = 0x4250_4c56;

/**
 * A lecture code as the second key of its owner lock: the code read as a number in base 31 (its
 * alphabet's size). 31⁶ = 887,503,681 < 2³¹, so every code has its own int4 and none collide.
 */
export function ownerLockKey(lectureId: string): number {
  let key = 0;
  for (const ch of lectureId) {
    const digit = JOIN_CODE_ALPHABET.indexOf(ch);
    if (digit < 0) throw new Error(`"${lectureId}" is not a lecture code`);
    key = key * JOIN_CODE_ALPHABET.length + digit;
  }
  if (key > 2 ** 31 - 1) throw new Error(`"${lectureId}" is longer than a lecture code`);
  return key;
}
