/**
 * Server-issued client ids. A student is counted, answers and flags as its client id; were it the
 * client's choice, one machine could answer a question a thousand times under a thousand ids, or
 * answer as someone else. So the server issues ids signed with a key of its own, and accepts at
 * the handshake only ids it signed (any other is replaced by a fresh one).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `<22 random base64url chars>.<22 chars of HMAC-SHA-256>`: 45 characters. */
const SIGNED_ID = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/;
const KEY_FILE = 'client-id.key';

export class ClientIds {
  constructor(private readonly key: Buffer) {}

  issue(): string {
    const id = randomBytes(16).toString('base64url');
    return `${id}.${this.mac(id)}`;
  }

  /** True for an id this server (this key) issued. */
  isSigned(clientId: string): boolean {
    const match = SIGNED_ID.exec(clientId);
    if (!match) return false;
    const given = Buffer.from(match[2]);
    const expected = Buffer.from(this.mac(match[1]));
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(id: string): string {
    return createHmac('sha256', this.key).update(id).digest().subarray(0, 16).toString('base64url');
  }
}

/**
 * The signing key of a data directory, created on first use (DATA_DIR/client-id.key, readable by
 * its owner only), so ids stay valid across restarts: a student who reloads is still one student.
 */
export function clientIdKey(dataDir: string): Buffer {
  const file = join(dataDir, KEY_FILE);
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    if (key.length >= 32) return key;
    throw new Error(`${file} does not hold a key of at least 32 bytes (base64url); delete it to make a new one (students then get new ids)`);
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
