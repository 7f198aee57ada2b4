/**
 * Issue 10, finding 2: the exported notebook must never run the lecture creator's text. A CSV
 * header holding U+001C once landed in a `# features:` comment; IPython splits a cell's lines as
 * Python's str.splitlines does, so the text after the separator ran as code (`!…` as a shell
 * command) in Jupyter, JupyterLab, VS Code and Colab. And a title holding `<img onerror>` survived
 * `nbconvert --to html`.
 *
 * Against the real server and the real tools (Debian's python3-ipython and jupyter-nbconvert, which
 * `npm test` installs when missing, scripts/ensure-test-deps.mjs):
 * (a) titles, CSV header cells and dataset names holding control or format characters (every
 *     separator str.splitlines knows among them) are refused with a sentence, and change nothing;
 * (b) every code cell of every export is printable ASCII and IPython's own input transformer leaves
 *     it unchanged (no `!`, `%`, `?` or split line), and user text reaches code only as literals
 *     that Python reads back as exactly that text;
 * (c) `jupyter nbconvert --execute` of a hostile lecture's export succeeds and creates no file;
 * (d) its HTML holds user text as text: no tag, link or emphasis from a title or a name.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useServer } from '../support/suite.js';
import { createLecture, http } from '../support/clients.js';
import { LINE_SEPARATORS } from '../support/hostile.js';
import { pyString } from '../../shared/export/text.js';

const PYTHON = '/usr/bin/python3';
const NBCONVERT = '/usr/bin/jupyter-nbconvert';

/** Characters no title, header cell or name may hold: every line separator, and other controls and format characters. */
const UNPRINTABLE = [...LINE_SEPARATORS, '\0', '\t', '\x1b', '\x7f', '\u00ad', '\u200b', '\u200e', '\u202e', '\u2066', '\ufeff', '\ud800'];
/** Those that can travel in UTF-8 (a CSV body, a URL): a lone surrogate arrives as U+FFFD. */
const UNPRINTABLE_UTF8 = UNPRINTABLE.filter((c) => !/\p{Cs}/u.test(c));
const show = (s: string) => JSON.stringify(s);

/** Text that is printable but means something to a shell, IPython, Python, markdown, HTML or LaTeX. */
const HOSTILE_TITLES = [
  '<img src=x onerror=alert(1)> <script>alert(2)</script> & &amp; <b>bold</b>',
  '!touch pwned ; %system touch pwned ; %%bash ; x? ; ?x ; help(x)',
  '`code` *em* _em_ **strong** ~~gone~~ [link](javascript:alert(3)) ![img](x)',
  '$$x^2$$ $y$ \\(z\\) \\[w\\] {{braces}} # hash | pipe | \\ backslash',
  '"""; open("pwned", "w"); """ \'\'\' \\" \' " 1. list - item + item > quote',
  'Unicode: Grüße, 日本語, עברית, 🧠 emoji, 𝑥 maths',
];
const HOSTILE_HEADER = [
  '!touch pwned',
  '%system touch pwned',
  'x?',
  '"open(\'pwned\',\'w\')"',
  '"a"",open(\'pwned\',\'w\'),"""',
  '<img src=x onerror=alert(4)>',
  '$$x$$ \\',
  '`b` *c* [d](e)',
  '日本 🧠',
  '__proto__',
  'constructor',
  'y # ?',
];
const HOSTILE_NAME = '<img src=x onerror=alert(5)> !touch pwned $$ \\ `';

const csvBody = (header: readonly string[], rows = 24) =>
  `${header.join(',')}\n${Array.from({ length: rows }, (_, i) => header.map((_, j) => ((i * (j + 3)) % 7) / 7).join(',')).join('\n')}\n`;

const suite = useServer();
const url = () => suite.server.url;

async function command(id: string, token: string, body: object) {
  return http(url(), 'POST', `/api/lectures/${id}/commands`, body, token);
}

async function upload(id: string, token: string, text: string, name: string, trainFraction = 1) {
  const query = new URLSearchParams({ name, trainFraction: String(trainFraction) });
  const res = await fetch(`${url()}/api/lectures/${id}/dataset.csv?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    body: text,
  });
  return { status: res.status, json: (await res.json()) as any };
}

const seqOf = async (id: string) => (await http(url(), 'GET', `/api/lectures/${id}/state`)).json.seq as number;

interface Notebook {
  cells: { cell_type: string; source: string[] }[];
}

async function exportOf(id: string): Promise<Notebook> {
  const res = await http(url(), 'GET', `/api/lectures/${id}/export.ipynb`);
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  return res.json;
}

const sources = (nb: Notebook, type: 'code' | 'markdown') => nb.cells.filter((c) => c.cell_type === type).map((c) => c.source.join(''));

/** Each source through IPython's TransformerManager().transform_cell, the step every Jupyter front end runs before Python sees a cell. */
function ipythonTransforms(cells: readonly string[]): string[] {
  const script = [
    'import json, sys',
    'from IPython.core.inputtransformer2 import TransformerManager',
    'cells = json.load(sys.stdin)',
    'print(json.dumps([TransformerManager().transform_cell(c) for c in cells]))',
  ].join('\n');
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(cells), encoding: 'utf8', timeout: 60_000 }));
}

/** What Python reads each literal back as (ast.literal_eval), as JSON. */
function pythonReads(literals: readonly string[]): string[] {
  const script = ['import ast, json, sys', 'print(json.dumps([ast.literal_eval(s) for s in json.load(sys.stdin)]))'].join('\n');
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(literals), encoding: 'utf8', timeout: 60_000 }));
}

/** (b): printable ASCII only, and IPython changes nothing but the trailing newline it adds; markdown holds no tag. One Python for all. */
function expectInert(notebooks: ReadonlyArray<readonly [what: string, notebook: Notebook]>) {
  const cells = notebooks.flatMap(([what, notebook]) => sources(notebook, 'code').map((source, i) => ({ where: `${what}: code cell ${i}`, source })));
  for (const [what, notebook] of notebooks) expect(sources(notebook, 'code').length, what).toBeGreaterThan(3);
  for (const { where, source } of cells) expect(/^[\x20-\x7e\n]*$/.test(source), `${where} is not printable ASCII: ${show(source.slice(0, 200))}`).toBe(true);
  const transformed = ipythonTransforms(cells.map((c) => c.source));
  transformed.forEach((t, i) => expect(t, `IPython rewrote ${cells[i].where}`).toBe(cells[i].source.endsWith('\n') ? cells[i].source : `${cells[i].source}\n`));
  // Markdown holds no tag of the user's: the only one is the span that keeps a backslash from MathJax.
  for (const [what, notebook] of notebooks) {
    for (const text of sources(notebook, 'markdown')) expect(text.replaceAll('<span>&#92;</span>', ''), what).not.toContain('<');
  }
}

/** (c) and (d): runs the notebook with nbconvert in an empty directory, and converts it to HTML. */
function nbconvert(notebook: Notebook): { files: string[]; html: string } {
  const dir = mkdtempSync(join(tmpdir(), 'export-hostile-'));
  try {
    writeFileSync(join(dir, 'lecture.ipynb'), JSON.stringify(notebook));
    const run = spawnSync(NBCONVERT, ['--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=python3', '--ExecutePreprocessor.timeout=120', '--output', 'executed.ipynb', 'lecture.ipynb'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' },
    });
    expect(run.status, run.stderr.slice(-2000)).toBe(0);
    const html = spawnSync(NBCONVERT, ['--to', 'html', '--output', 'lecture.html', 'lecture.ipynb'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(html.status, html.stderr.slice(-2000)).toBe(0);
    return { files: readdirSync(dir).sort(), html: readFileSync(join(dir, 'lecture.html'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** (d): user text in the HTML is text, not markup. */
function expectHtmlInert(html: string) {
  // Code cells are highlighted <pre> blocks, which MathJax and markdown leave alone: what counts is the rest.
  const body = html.slice(html.indexOf('<body')).replace(/<pre>[\s\S]*?<\/pre>/g, '');
  expect(body).not.toMatch(/<img[^>]*onerror/i);
  expect(body).not.toMatch(/<script>alert/i);
  expect(body).not.toMatch(/href="javascript:/i);
  expect(body).not.toMatch(/<(em|strong|del|b)>(em|strong|gone|bold|c)</);
  expect(body).not.toContain('$$');
  expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
}

describe('hostile text is refused where it enters', () => {
  it('a title holding a control or format character is a 400 that names it, and creates no lecture', async () => {
    const before = (await http(url(), 'GET', '/api/lectures')).json.length;
    for (const c of UNPRINTABLE) {
      const res = await http(url(), 'POST', '/api/lectures', { title: `Intro${c}!touch pwned` });
      expect(res.status, show(c)).toBe(400);
      expect(res.json.error, show(c)).toMatch(/title.*U\+[0-9A-F]{4}/);
    }
    expect((await http(url(), 'GET', '/api/lectures')).json.length).toBe(before);
  });

  it('a CSV header cell holding one is a 400 naming its line and column, and changes nothing', async () => {
    const { id, instructorToken: token } = await createLecture(url(), { title: 'Headers' });
    for (const c of UNPRINTABLE_UTF8) {
      // In quotes, so that the cell keeps the character even where the file would split a line.
      const res = await upload(id, token, csvBody(['a', `"x1${c}!touch pwned${c}open('pwned','w') #"`, 'y']), 'table');
      expect(res.status, show(c)).toBe(400);
      expect(res.json.issues[0], show(c)).toMatchObject({ line: 1, column: 2 });
      if (!['\n', '\r', '\r\n'].includes(c)) expect(res.json.error, show(c)).toMatch(/line 1, column 2.*U\+[0-9A-F]{4}/);
    }
    expect(await seqOf(id)).toBe(0);
  });

  it('a dataset name holding one is a 400, by upload or by command, and changes nothing', async () => {
    const { id, instructorToken: token } = await createLecture(url(), { title: 'Names' });
    const good = await upload(id, token, csvBody(['a', 'b', 'y']), 'fine');
    expect(good.status).toBe(200);
    const seq = await seqOf(id);
    for (const c of UNPRINTABLE_UTF8) {
      const byUpload = await upload(id, token, csvBody(['a', 'b', 'y']), `ta${c}ble`);
      expect(byUpload.status, show(c)).toBe(400);
      expect(byUpload.json.error, show(c)).toMatch(/name.*U\+[0-9A-F]{4}/);
      const byCommand = await command(id, token, { type: 'setDataset', dataset: { kind: 'csv', name: `ta${c}ble`, digest: good.json.digest } });
      expect(byCommand.status, show(c)).toBe(400);
      expect(byCommand.json.error, show(c)).toMatch(/name.*U\+[0-9A-F]{4}/);
    }
    expect(await seqOf(id)).toBe(seq);
  });
});

describe('an export holds user text only as inert data', () => {
  it('user text reaches code only as a literal Python reads back as exactly that text', () => {
    const texts = [...UNPRINTABLE.map((c) => `x1${c}!touch pwned${c}open('pwned','w') #`), ...HOSTILE_TITLES, ...HOSTILE_HEADER, '\\x41 \\u0041 \\N{DASH}', '\ud83e\udde0\ud800'];
    const literals = texts.map(pyString);
    literals.forEach((l) => expect(/^"[\x20-\x7e]*"$/.test(l), l).toBe(true));
    expect(ipythonTransforms(literals.map((l) => `T = ${l}`))).toEqual(literals.map((l) => `T = ${l}\n`));
    // JSON cannot carry a lone surrogate to Python and back: compare the ones that are whole text.
    const whole = texts.map((t, i) => [t, i] as const).filter(([t]) => !/\p{Cs}/u.test(t));
    expect(pythonReads(whole.map(([, i]) => literals[i]))).toEqual(whole.map(([t]) => t));
  });

  it('the teaching notebook, titled with hostile text', async () => {
    const notebooks: [string, Notebook][] = [];
    for (const title of HOSTILE_TITLES) {
      const { id, instructorToken: token } = await createLecture(url(), { title });
      expect((await command(id, token, { type: 'update' })).status).toBe(200);
      const notebook = await exportOf(id);
      expect(JSON.stringify(notebook)).toContain('backprop_step');
      notebooks.push([title, notebook]);
    }
    expectInert(notebooks);
  });

  it('other networks, on an upload with hostile header cells and name, and on a dataset set by command', async () => {
    const notebooks: [string, Notebook][] = [];
    for (const title of HOSTILE_TITLES.slice(0, 3)) {
      const { id, instructorToken: token } = await createLecture(url(), { title });
      const uploaded = await upload(id, token, csvBody(HOSTILE_HEADER, 40), HOSTILE_NAME, 0.75);
      expect(uploaded.status, JSON.stringify(uploaded.json)).toBe(200);
      expect((await command(id, token, { type: 'update' })).status).toBe(200);
      const notebook = await exportOf(id);
      notebooks.push([title, notebook]);
      const code = sources(notebook, 'code').join('\n');
      expect(code).toContain(`FEATURES = [${HOSTILE_HEADER.slice(0, -1).map((h) => pyString(h.startsWith('"') ? h.slice(1, -1).replaceAll('""', '"') : h)).join(', ')}]`);
      expect(code).toContain(`TARGET = ${pyString('y # ?')}`);

      const byCommand = await command(id, token, { type: 'setDataset', dataset: { kind: 'csv', name: HOSTILE_TITLES[3].slice(0, 60), digest: uploaded.json.digest, trainFraction: 0.5 } });
      expect(byCommand.status, JSON.stringify(byCommand.json)).toBe(200);
      notebooks.push([`${title}, by command`, await exportOf(id)]);
    }
    expectInert(notebooks);
  });

  it('a lecture stored before titles were checked, whose title holds every line separator', async () => {
    const codes = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
    const notebooks: [string, Notebook][] = [];
    for (const [i, c] of UNPRINTABLE.entries()) {
      // The lecture as an older server would have stored it: the title never went through the check.
      const id = `HST${codes[i]}22`;
      await suite.server.store.createLecture({ id, title: `T${c}!touch pwned${c}<img src=x onerror=alert(1)>`, createdAt: 0, listed: false, tokenHash: 'x', preset: 'notebook', seed: 0, learningRate: 1 });
      const notebook = await exportOf(id);
      notebooks.push([show(c), notebook]);
      const heading = sources(notebook, 'markdown')[0].split('\n')[0];
      expect(heading.startsWith('# T'), heading).toBe(true);
      expect(heading).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
      expect(heading).not.toContain('<img');
    }
    expectInert(notebooks);
  });
});

describe('the real tools run a hostile lecture\'s export', () => {
  it('nbconvert --execute creates no file and succeeds; its HTML shows user text as text', { timeout: 300_000 }, async () => {
    const runs: Notebook[] = [];
    // The teaching notebook's network, titled with markup.
    const teaching = await createLecture(url(), { title: HOSTILE_TITLES[0] });
    expect((await command(teaching.id, teaching.instructorToken, { type: 'update' })).status).toBe(200);
    runs.push(await exportOf(teaching.id));

    // Another network, after every hostile upload: whatever the server accepts, nothing of it may run.
    const { id, instructorToken: token } = await createLecture(url(), { title: HOSTILE_TITLES[0] });
    for (const c of UNPRINTABLE_UTF8) await upload(id, token, csvBody(['a', `"x1${c}!touch pwned${c}open('pwned','w') #"`, 'y']), `n${c}!touch pwned${c}`);
    expect((await upload(id, token, csvBody(HOSTILE_HEADER, 40), HOSTILE_NAME, 0.75)).status).toBe(200);
    // Last, the finding's own header: where it is accepted, it is the export's data.
    await upload(id, token, csvBody(['a', "x1\x1c!touch pwned\x1c__import__('os').system('touch pwned2') #", 'y']), 'finding 2');
    expect((await command(id, token, { type: 'train', epochs: 3 })).status).toBe(200);
    runs.push(await exportOf(id));

    const results = runs.map(nbconvert);
    for (const { files } of results) expect(files).toEqual(['executed.ipynb', 'lecture.html', 'lecture.ipynb']);
    for (const { html } of results) expectHtmlInert(html);
  });
});
