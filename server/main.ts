import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { readConfig } from './config.js';
import { SqliteStore } from './sqlite-store.js';

const config = readConfig();
const store = new SqliteStore(join(config.dataDir, 'backprop-live.sqlite'), { synchronous: config.synchronous });
// dist/server/main.js → dist/client
const clientDir = config.clientDir ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'client');
const app = createApp({ store, clientDir, publicUrl: config.publicUrl, createKey: config.createKey, allowedOrigins: config.allowedOrigins, maxSocketBufferBytes: config.maxSocketBufferBytes });

app.server.listen(config.port, config.host, () => {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`Backprop Live listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port} (data in ${config.dataDir})`);
});

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  console.log(`${signal}: finishing running trainings and closing`);
  await app.close();
  store.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
