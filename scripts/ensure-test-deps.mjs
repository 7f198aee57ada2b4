#!/usr/bin/env node
// The browser tests drive Debian's Chromium (playwright-core cannot download a browser here).
// Installs it when missing, so `npm test` works on a fresh machine; CHROMIUM_PATH overrides.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);
if (process.env.CHROMIUM_PATH) {
  console.error(`CHROMIUM_PATH=${path} does not exist`);
  process.exit(1);
}
console.log('Chromium is missing: installing Debian\'s chromium package for the browser tests…');
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0 ? '' : 'sudo ';
try {
  execSync(`${asRoot}apt-get update -qq && ${asRoot}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium`, { stdio: 'inherit' });
} catch {
  console.error('Could not install chromium with apt-get; install it (or set CHROMIUM_PATH) and run the tests again.');
  process.exit(1);
}
if (!existsSync(path)) {
  console.error(`chromium was installed but ${path} is missing`);
  process.exit(1);
}
