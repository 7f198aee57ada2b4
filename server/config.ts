import { resolve } from 'node:path';
import { normalizeOrigin } from './origins.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly publicUrl?: string;
  readonly synchronous: 'NORMAL' | 'FULL';
  /** The built client; default dist/client beside the built server. */
  readonly clientDir?: string;
  readonly createKey?: string;
  /** Origins besides this site's own that may open socket.io connections. */
  readonly allowedOrigins: readonly string[];
  /** A socket with more bytes than this waiting to be sent is dropped (MAX_SOCKET_BUFFER_BYTES); default 8 MiB. */
  readonly maxSocketBufferBytes?: number;
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
    publicUrl: env.PUBLIC_URL || undefined,
    synchronous,
    clientDir: env.CLIENT_DIR ? resolve(env.CLIENT_DIR) : undefined,
    createKey: env.CREATE_KEY || undefined,
    allowedOrigins: readOrigins(env.ALLOWED_ORIGINS),
    maxSocketBufferBytes: readBytes(env.MAX_SOCKET_BUFFER_BYTES),
  };
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

/** ALLOWED_ORIGINS: comma-separated origins (`https://a.example,http://localhost:5173`). */
function readOrigins(text: string | undefined): string[] {
  const entries = (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return entries.map((entry) => {
    const origin = normalizeOrigin(entry);
    if (!origin) throw new Error(`ALLOWED_ORIGINS must list http(s) origins separated by commas, like https://example.org; "${entry}" is not one`);
    return origin;
  });
}
