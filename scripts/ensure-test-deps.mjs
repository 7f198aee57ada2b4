#!/usr/bin/env node
// What the tests drive besides Node, from Debian (a fresh machine or CI has none of it):
// - Chromium for the browser tests (playwright-core cannot download a browser here); CHROMIUM_PATH overrides;
// - Debian's python3 with numpy, which runs the exported notebooks' code (test/integration/export.test.ts);
// - IPython, nbconvert and the ipykernel kernel, which transform and execute a hostile lecture's export
//   as Jupyter would (test/integration/export-hostile.test.ts);
// - PostgreSQL's server binaries (initdb, postgres), which test/support/postgres.ts runs in a temp dir
//   for the tests of PostgresStore, and redis-server, which the tests of several nodes start the same way;
// - ffmpeg's ffprobe, which reads the narration a browser test recorded (is it Opus, how long is it);
// - haproxy, which runs deploy/haproxy.cfg (the cluster's load balancer) in front of three nodes.
// Installs what is missing, with one apt-get update and one apt-get install.
import { existsSync, readdirSync } from 'node:fs';
import { execSync, spawnSync } from 'node:child_process';

const PYTHON = '/usr/bin/python3';
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Debian's PostgreSQL server, of any major version (postgresql depends on the current one). */
const hasInitdb = () => {
  try {
    return readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
  } catch {
    return false;
  }
};
const pythonHas = (module) => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;

/** Each Debian package, and whether what the tests need of it is here. */
const needs = [
  { pkg: 'chromium', present: () => existsSync(chromium) },
  { pkg: 'python3-numpy', present: () => pythonHas('numpy') },
  { pkg: 'python3-ipython', present: () => pythonHas('IPython.core.inputtransformer2') },
  { pkg: 'python3-ipykernel', present: () => pythonHas('ipykernel') },
  { pkg: 'jupyter-nbconvert', present: () => existsSync('/usr/bin/jupyter-nbconvert') },
  { pkg: 'postgresql', present: hasInitdb },
  { pkg: 'redis-server', present: () => existsSync('/usr/bin/redis-server') },
  { pkg: 'ffmpeg', present: () => existsSync('/usr/bin/ffprobe') },
  { pkg: 'haproxy', present: () => existsSync('/usr/sbin/haproxy') },
];

if (process.env.CHROMIUM_PATH && !existsSync(chromium)) {
  console.error(`CHROMIUM_PATH=${chromium} does not exist`);
  process.exit(1);
}
const missing = needs.filter((n) => !n.present()).map((n) => n.pkg);
if (missing.length === 0) process.exit(0);

console.log(`Installing Debian's ${missing.join(', ')} for the tests…`);
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0 ? '' : 'sudo ';
try {
  execSync(`${asRoot}apt-get update -qq && ${asRoot}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`, { stdio: 'inherit' });
} catch {
  console.error(`Could not install ${missing.join(', ')} with apt-get; install them (or set CHROMIUM_PATH) and run the tests again.`);
  process.exit(1);
}
const still = needs.filter((n) => !n.present()).map((n) => n.pkg);
if (still.length > 0) {
  console.error(`${still.join(', ')} installed, but what the tests need of them is still missing (${chromium}, ${PYTHON} and its modules, /usr/bin/jupyter-nbconvert, /usr/lib/postgresql/*/bin/initdb, /usr/bin/redis-server, /usr/bin/ffprobe, /usr/sbin/haproxy)`);
  process.exit(1);
}
