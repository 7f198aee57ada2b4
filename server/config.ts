import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { normalizeOrigin } from './origins.js';
import { parseTrustProxy, type ProxyTrust } from './client-address.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** PostgreSQL to keep lectures in (DATABASE_URL, postgres://…); unset, SQLite in dataDir. */
  readonly databaseUrl?: string;
  /** With databaseUrl: cluster mode (REDIS_URL). */
  readonly redisUrl?: string;
  /** Cluster mode: how long a frozen node keeps its lectures (LEASE_TIMEOUT_MS, default 3000). */
  readonly leaseTimeoutMs?: number;
  readonly publicUrl?: string;
  readonly synchronous: 'NORMAL' | 'FULL';
  /** The built client; default dist/client beside the built server. */
  readonly clientDir?: string;
  /** The key creating a lecture needs (X-Create-Key); undefined: anyone may create. */
  readonly createKey?: string;
  /**
   * Where createKey came from: CREATE_KEY (`set`), drawn for this run because HOST is reachable
   * from other machines and CREATE_KEY is unset (`generated`), waived with CREATE_KEY=off (`off`),
   * or not needed on a loopback HOST (`loopback`).
   */
  readonly createKeySource: 'set' | 'generated' | 'off' | 'loopback';
  /** Which proxies' X-Forwarded-For is believed (TRUST_PROXY); default none. */
  readonly trustProxy: ProxyTrust;
  /** Lectures one address may create an hour (CREATIONS_PER_HOUR). */
  readonly creationsPerHour?: number;
  /** Failed code or token guesses one address may make a minute before its failures are delayed (GUESSES_PER_MINUTE, default 20). */
  readonly guessesPerMinute?: number;
  /** Students' sockets one address may have open on one lecture (MAX_SOCKETS_PER_ADDRESS). */
  readonly maxSocketsPerAddress?: number;
  /** Origins besides this site's own that may open socket.io connections. */
  readonly allowedOrigins: readonly string[];
  /** Who may frame the embeddable replay, /embed/:id (EMBED_ORIGINS): CSP frame-ancestors sources; default any (`*`); empty: nobody. */
  readonly embedOrigins: readonly string[];
  /** A socket with more bytes than this waiting to be sent is dropped (MAX_SOCKET_BUFFER_BYTES); default 8 MiB. */
  readonly maxSocketBufferBytes?: number;
  /** Trainings that run at once across all lectures (MAX_TRAININGS); default 4. */
  readonly maxTrainings?: number;
  /** The bytes one lecture's narration may hold in all takes (NARRATION_MAX_BYTES); default 200 MB. */
  readonly narrationMaxBytes?: number;
  /** Serve GET /metrics (METRICS: on by default, `off` turns it off). */
  readonly serveMetrics: boolean;
  /** The token /metrics needs as `Authorization: Bearer <token>` (METRICS_TOKEN); unset, none. */
  readonly metricsToken?: string;
  /** Tests only: the command id after whose commit the process kills itself (TEST_HOOK_EXIT_AFTER_COMMIT, test-hooks.ts). */
  readonly testHookExitAfterCommit?: string;
}

/** Reads the environment; every setting has an embedded default so `npm start` needs nothing else. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const synchronous = (env.BACKPROP_SYNC ?? 'NORMAL').toUpperCase();
  if (synchronous !== 'NORMAL' && synchronous !== 'FULL') throw new Error('BACKPROP_SYNC must be NORMAL or FULL');
  return {
    port,
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(env.DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    leaseTimeoutMs: readLeaseTimeout(env.LEASE_TIMEOUT_MS),
    publicUrl: env.PUBLIC_URL || undefined,
    synchronous,
    clientDir: env.CLIENT_DIR ? resolve(env.CLIENT_DIR) : undefined,
    ...readCreateKey(env.CREATE_KEY, env.HOST || '0.0.0.0'),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    creationsPerHour: readCount('CREATIONS_PER_HOUR', env.CREATIONS_PER_HOUR),
    guessesPerMinute: readCount('GUESSES_PER_MINUTE', env.GUESSES_PER_MINUTE),
    maxSocketsPerAddress: readCount('MAX_SOCKETS_PER_ADDRESS', env.MAX_SOCKETS_PER_ADDRESS),
    allowedOrigins: readOrigins(env.ALLOWED_ORIGINS),
    embedOrigins: readEmbedOrigins(env.EMBED_ORIGINS),
    maxSocketBufferBytes: readBytes(env.MAX_SOCKET_BUFFER_BYTES),
    maxTrainings: readCount('MAX_TRAININGS', env.MAX_TRAININGS),
    narrationMaxBytes: readCount('NARRATION_MAX_BYTES', env.NARRATION_MAX_BYTES),
    testHookExitAfterCommit: env.TEST_HOOK_EXIT_AFTER_COMMIT || undefined,
    serveMetrics: readMetrics(env.METRICS),
    metricsToken: env.METRICS_TOKEN || undefined,
  };
}

/** METRICS: `on` (the default) or `off`; anything else stops the start with the sentence that says why. */
function readMetrics(text: string | undefined): boolean {
  const value = (text ?? '').trim().toLowerCase();
  if (value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`METRICS must be on or off; got "${text!.slice(0, 40)}"`);
}

/**
 * MAX_SOCKET_BUFFER_BYTES: a whole number of bytes, at least 64 KiB. Keep it above the largest
 * snapshot plus a frame (about 5.5 MB for a 4 × 16 network stepped over 500 rows in one batch), or
 * slow clients of such lectures are dropped and resync over and over.
 */
function readBytes(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const bytes = Number(text);
  if (!Number.isInteger(bytes) || bytes < 65_536) throw new Error(`MAX_SOCKET_BUFFER_BYTES must be a whole number of bytes, at least 65536; got "${text}"`);
  return bytes;
}

/** `localhost`, 127.0.0.0/8 and ::1: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * CREATE_KEY: a server other machines can reach needs a key to create lectures, or anyone who
 * finds it can fill its disk. Unset there, a key is drawn for this run (main.ts prints it and how
 * to choose one or waive it); `off` waives it.
 */
function readCreateKey(text: string | undefined, host: string): Pick<Config, 'createKey' | 'createKeySource'> {
  if (text !== undefined && text.trim().toLowerCase() === 'off') return { createKey: undefined, createKeySource: 'off' };
  if (text) return { createKey: text, createKeySource: 'set' };
  if (isLoopbackHost(host)) return { createKey: undefined, createKeySource: 'loopback' };
  return { createKey: randomBytes(9).toString('base64url'), createKeySource: 'generated' };
}

/** A whole number setting of at least 1; undefined when unset (the default applies). */
function readCount(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1; got "${text}"`);
  return n;
}

/**
 * EMBED_ORIGINS: the sites whose pages may frame /embed/:id. Unset or `*`: any site (a replay is
 * public: anyone with the code can watch it); `off`: none; else comma-separated origins, like
 * ALLOWED_ORIGINS (a path or a typo stops the start, rather than silently refusing every course page).
 */
function readEmbedOrigins(text: string | undefined): string[] {
  const value = (text ?? '').trim();
  if (value === '' || value === '*') return ['*'];
  if (value.toLowerCase() === 'off') return [];
  return value.split(',').map((s) => s.trim()).filter(Boolean).map((entry) => {
    const origin = /^https?:\/\/[^/?#]+\/?$/i.test(entry) ? normalizeOrigin(entry) : null;
    if (!origin) throw new Error(`EMBED_ORIGINS must be *, off, or http(s) origins separated by commas, like https://course.example.org; "${entry.slice(0, 80)}" is not one`);
    return origin;
  });
}

/** ALLOWED_ORIGINS: comma-separated origins (`https://a.example,http://localhost:5173`). */
function readOrigins(text: string | undefined): string[] {
  const entries = (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return entries.map((entry) => {
    const origin = normalizeOrigin(entry);
    if (!origin) throw new Error(`ALLOWED_ORIGINS must list http(s) origins separated by commas, like https://example.org; "${entry}" is not one`);
    return origin;
  });
}

/** LEASE_TIMEOUT_MS: whole milliseconds, 500 to 60,000 (PostgreSQL's idle_session_timeout of a node's lease). */
function readLeaseTimeout(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 500 || ms > 60_000) throw new Error(`LEASE_TIMEOUT_MS must be whole milliseconds from 500 to 60000, got "${raw}"`);
  return ms;
}
