/**
 * The key a flag (and the spotlight) is counted and compared under: `stage:B_act` for a stage,
 * `W[1,3]` or `B_act[2]` for one element of a tensor. The server counts flags by it, the client
 * marks what it flagged by it, and the instructor's summary reads it back: one encoding, one decoding.
 */
import { FlagTarget } from './collab.js';

const STAGE_PREFIX = 'stage:';
/** `name[i]` or `name[i,j]`: the name and the digits; the schema then checks each. */
const ELEMENT_KEY = /^([^[\]]+)\[(\d+(?:,\d+)*)\]$/;

/** `stage:B_act`, `B_act[2]`, `W[1,3]`: the key a flag is counted under. */
export function flagKey(target: FlagTarget): string {
  return target.type === 'stage' ? `${STAGE_PREFIX}${target.stage}` : `${target.tensor}[${target.index.join(',')}]`;
}

/**
 * The target a key was made from, or null for anything flagKey does not make: the target is
 * checked by the same schema as a flag request's, and only the exact key flagKey gives comes back
 * (`W[01]` or `stage:` are not keys).
 */
export function parseFlagKey(key: string): FlagTarget | null {
  const candidate = key.startsWith(STAGE_PREFIX) ? { type: 'stage', stage: key.slice(STAGE_PREFIX.length) } : elementTarget(key);
  if (!candidate) return null;
  const parsed = FlagTarget.safeParse(candidate);
  if (!parsed.success || flagKey(parsed.data) !== key) return null;
  return parsed.data;
}

function elementTarget(key: string): { type: 'element'; tensor: string; index: number[] } | null {
  const m = ELEMENT_KEY.exec(key);
  return m ? { type: 'element', tensor: m[1], index: m[2].split(',').map(Number) } : null;
}
