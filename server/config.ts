import { resolve } from 'node:path';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly publicUrl?: string;
  readonly synchronous: 'NORMAL' | 'FULL';
  /** The built client; default dist/client beside the built server. */
  readonly clientDir?: string;
  readonly createKey?: string;
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
  };
}
