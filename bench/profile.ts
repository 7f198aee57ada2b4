/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): self time per function and per
 * package, to see where a server's CPU went.  node --import tsx bench/profile.ts <file> [top]
 */
import { readFileSync } from 'node:fs';
import { table } from './lib/stats.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
const [file, topArg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map<string, number>();
const pkg = new Map<string, number>();
for (const [id, ms] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url.replace(/^file:\/\/.*?\/(node_modules\/|work\/main\/)/, '');
  const name = `${functionName || '(anonymous)'} ${where ? `${where.split('/').slice(-2).join('/')}:${lineNumber + 1}` : ''}`.trim();
  fn.set(name, (fn.get(name) ?? 0) + ms);
  const p = !url ? functionName.startsWith('(') ? functionName : '(native)' : url.includes('node_modules/') ? url.split('node_modules/')[1].split('/')[0] : url.startsWith('node:') ? 'node:' + url.slice(5).split('/')[0] : 'project';
  pkg.set(p, (pkg.get(p) ?? 0) + ms);
}
const rows = (m: Map<string, number>, n: number) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => ({ what: k, 'self ms': Math.round(ms), '%': Math.round((ms / total) * 1000) / 10 }));
console.log(`total sampled ${Math.round(total)} ms`);
console.log(table(rows(pkg, 12)));
console.log(table(rows(fn, Number(topArg ?? 25))));
