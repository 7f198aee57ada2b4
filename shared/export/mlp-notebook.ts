/**
 * Any lecture network as a Jupyter notebook, in the teaching notebook's style (markdown for each
 * step, then plain numpy) and in the lecture's own names (A0, Z1, A1, W1, b1, …, L, dL_dZ2, …;
 * see docs/networks.md). The code follows the engine's order of operations (network.ts, train.ts),
 * so replaying the lecture's history leaves `params` equal to the lecture's parameters to about
 * the last bits.
 */
import { datasetLabel } from '../datasets/spec.js';
import { ACTIVATION_SPECS } from '../engine/mlp/activations.js';
import { layerSizes, type MlpConfig } from '../engine/mlp/config.js';
import type { MlpData } from '../engine/mlp/data.js';
import { mlpLayout, type MlpLayout } from '../engine/mlp/layout.js';
import { LOSS_SPECS } from '../engine/mlp/losses.js';
import type { LectureConfig } from '../lecture/decider.js';
import { packedData } from '../lecture/setup.js';
import { NotebookWriter, py, type NotebookJson } from './ipynb.js';
import { markdownText, pyString } from './text.js';
import type { NamedParams, WeightHistory, WeightOp, WeightOrigin } from './weight-ops.js';

/** A numpy literal: a vector on one line, a matrix one row per line, aligned under the first. */
function arrayLiteral(data: ArrayLike<number>, shape: readonly number[], indent: number): string {
  const values = Array.from(data, py);
  if (shape.length === 1) return `np.array([${values.join(', ')}])`;
  const cols = shape[1];
  const rows: string[] = [];
  for (let i = 0; i < shape[0]; i++) rows.push(`[${values.slice(i * cols, (i + 1) * cols).join(', ')}]`);
  return `np.array([${rows.join(`,\n${' '.repeat(indent + 'np.array(['.length)}`)}])`;
}

function paramsLiteral(config: MlpConfig, params: NamedParams, variable: string): string {
  const layout = mlpLayout(config);
  const entries = layout.parameters.map((name) => {
    const key = `    '${name}': `;
    return `${key}${arrayLiteral(params[name], parameterShape(layout, name), key.length)},`;
  });
  return `${variable} = {\n${entries.join('\n')}\n}`;
}

function parameterShape(layout: MlpLayout, name: string): number[] {
  const { sizes } = layout;
  const l = layout.layers.findIndex((n) => n.W === name || n.b === name) + 1;
  return layout.layers[l - 1].W === name ? [sizes[l - 1], sizes[l]] : [sizes[l]];
}

/** δ written from its factors: dL_dZ, or (the notebook's output layer) dL_dC_act and dC_act_dC multiplied. */
const product = (names: readonly string[]) => (names.length === 1 ? names[0] : `(${names.join(' * ')})`);

/**
 * The statements of one pass after the input rows are loaded into `A0` and `target`, stage by stage
 * in the layout's order, up to the last gradient (the update is the caller's). `batched`: rows are
 * matrices and the parameter gradients are the mean over the k rows.
 */
function passStatements(layout: MlpLayout, target: string, batched: boolean, phases: readonly string[] = ['forward', 'backward']): string[] {
  const out: string[] = [];
  const output = layout.layers[layout.layers.length - 1];
  for (const st of layout.stages) {
    if (!phases.includes(st.phase)) continue;
    const f = st.formula;
    const name = st.stage;
    switch (f.kind) {
      case 'input':
      case 'update':
        break;
      case 'matmul':
        out.push(`${name} = ${f.inputs[0]} @ ${f.inputs[1]}${f.inputs[2] ? ` + ${f.inputs[2]}` : ''}`);
        break;
      case 'activation':
        out.push(`${name} = ${f.fn}(${f.inputs[0]})`);
        break;
      case 'loss':
        out.push(`L = loss(${target}, ${output.A}, ${output.Z})`);
        break;
      case 'lossGrad':
        out.push(`${name} = ${f.inputs[0]} - ${target}${f.fused ? `  ${LOSS_SPECS[f.fn].fused?.numpyComment}` : ''}`);
        break;
      case 'activationGrad':
        out.push(`${name} = ${f.fn}_slope(${f.inputs[0] ?? layout.layers[st.layer! - 1].Z})`);
        break;
      case 'hadamard':
        out.push(`${name} = ${f.inputs[0]} * ${f.inputs[1]}`);
        break;
      case 'outer': {
        const [prev, ...delta] = f.inputs;
        out.push(batched ? `${name} = ${prev}.T @ ${product(delta)} / k` : `${name} = np.outer(${prev}, ${product(delta)})`);
        break;
      }
      case 'biasGrad':
        out.push(batched ? `${name} = ${f.inputs[0]}.sum(axis=0) / k` : `${name} = ${f.inputs[0]}`);
        break;
      case 'backprop':
        out.push(`${name} = ${product(f.inputs.slice(0, -1))} @ ${f.inputs[f.inputs.length - 1]}.T`);
        break;
      default: {
        const unknown: never = f;
        throw new Error(`unknown formula ${JSON.stringify(unknown)}`);
      }
    }
  }
  return out;
}

const unpack = (layout: MlpLayout) => `${layout.parameters.join(', ')} = (params[name] for name in PARAMETERS)`;

/** How the rows of a pass are loaded: one row as vectors (per-sample), or k rows as matrices. */
function inputStatements(layout: MlpLayout, batched: boolean): { target: string; lines: string[] } {
  const target = batched ? 'y_batch' : 'y_row';
  const rows = batched ? 'start:start+k' : 'start';
  return { target, lines: [`${layout.input} = X[${rows}]`, `${target} = y[${rows}]`] };
}

function stepCode(layout: MlpLayout): string {
  const { batched } = layout;
  const input = inputStatements(layout, batched);
  const update = layout.stages[layout.stages.length - 1].formula.inputs;
  const assignments: string[] = [];
  for (let i = 0; i < update.length; i += 2) assignments.push(`        '${update[i]}': ${update[i]} - eta*${update[i + 1]},`);
  const doc = batched
    ? '"""One pass on rows start ... start+k-1: forward, loss, backward, then one update with the mean of the rows\' gradients.\n    Returns the new parameters and each row\'s loss."""'
    : '"""One pass on row `start` (per-sample SGD: k is always 1): forward, loss, backward, update.\n    Returns the new parameters and the row\'s loss."""';
  return [
    'def step(params, start, k, eta):',
    `    ${doc}`,
    ...(batched ? [] : ["    assert k == 1, 'this network learns from one row per pass'"]),
    `    ${unpack(layout)}`,
    ...[...input.lines, ...passStatements(layout, input.target, batched)].map((s) => `    ${s}`),
    '    # The update, once every gradient is known (so backprop used the old weights).',
    '    new_params = {',
    ...assignments,
    '    }',
    '    return new_params, L',
  ].join('\n');
}

function batchText(config: MlpConfig, rows: number): { md: string; value: string } {
  if (config.batch === 1) return { md: 'Per-sample SGD, as in the teaching notebook: a pass is one row, and the update follows every row.', value: '1' };
  const mean =
    'The weight and bias gradients are the mean over the batch\'s rows, applied once per pass. (The engine adds each row\'s outer product from row 0 and divides by k; `A.T @ dL_dZ / k` is the same sum, which numpy may add in another order: that changes only the last bits.)';
  if (config.batch === 'full') return { md: `Full batch: a pass is all ${rows} rows, one update per epoch. ${mean}`, value: 'len(X)' };
  const last = rows % config.batch;
  const lastText = last ? `, so an epoch of ${rows} rows ends with a pass of ${last}` : '';
  return {
    md: `Mini-batches of ${config.batch} consecutive rows in the data's order (never shuffled); the last pass of an epoch takes what is left${lastText}. ${mean}`,
    value: String(config.batch),
  };
}

function describeNetwork(config: MlpConfig): string {
  const acts = [...config.hidden.map((h) => h.activation), config.output.activation];
  const loss = LOSS_SPECS[config.loss].fullName;
  const batch = config.batch === 1 ? 'per-sample SGD' : config.batch === 'full' ? 'full batch' : `mini-batches of ${config.batch}`;
  return `a ${layerSizes(config).join('-')} network (${acts.join(', ')}; ${config.biases ? 'with' : 'no'} biases; ${loss}; ${batch})`;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function presetText(config: MlpConfig, preset: string, seed: number): string {
  const zeroBiases = config.biases ? '; biases 0' : '';
  if (preset === 'notebook') return `the \`notebook\` preset (the teaching notebook's weights, recovered from its printed outputs${zeroBiases})`;
  if (mlpLayout(config).notebook) return `the \`random\` preset (seed ${seed}: W = −randn(3,4), V = randn(4,1) from Backprop Live's seeded generator)`;
  return (
    `the \`random\` preset (seed ${seed}: normal numbers from Backprop Live's seeded generator, layer by layer, scaled by ` +
    `√(2/n_in) (He) for a ReLU layer and √(2/(n_in + n_out)) (Xavier) for the others${zeroBiases})`
  );
}

function originText(config: MlpConfig, origin: WeightOrigin): string {
  const from = presetText(config, origin.preset, origin.seed);
  if (origin.reason === 'network') return `The lecture switched to this network, with parameters from ${from}.`;
  if (origin.reason === 'dataset') return `The lecture switched to this dataset, with parameters from ${from}.`;
  return `The lecture's initial parameters, from ${from}.`;
}

/** Consecutive passes (each starting where the last ended, wrapping at the end of the data) at one learning rate become one loop. */
function passRuns(ops: readonly WeightOp[], rows: number): WeightOp[][] {
  const groups: WeightOp[][] = [];
  for (const op of ops) {
    const group = groups.at(-1);
    const last = group?.at(-1);
    if (op.type === 'pass' && last?.type === 'pass' && last.eta === op.eta && op.start === (last.start + last.rows) % rows) group!.push(op);
    else groups.push([op]);
  }
  return groups;
}

function opCode(config: MlpConfig, group: WeightOp[]): { md: string; code: string } {
  const op = group[0];
  switch (op.type) {
    case 'pass': {
      const what = op.rows === 1 ? `row ${op.start}` : `rows ${op.start}–${op.start + op.rows - 1}`;
      if (group.length === 1) return { md: `A pass on ${what} with η = ${op.eta}.`, code: `params, L = step(params, ${op.start}, ${op.rows}, eta=${py(op.eta)})` };
      return {
        md: `${group.length} passes, one after the other from row ${op.start}, with η = ${op.eta}.`,
        code: [
          `start = ${op.start}`,
          `for _ in range(${group.length}):`,
          '    k = batch_rows(start)',
          `    params, L = step(params, start, k, eta=${py(op.eta)})`,
          '    start = (start + k) % len(X)',
        ].join('\n'),
      };
    }
    case 'train':
      return { md: `Training: ${op.epochs} epoch${op.epochs > 1 ? 's' : ''} at η = ${op.eta}.`, code: `params, losses = train(params, epochs=${op.epochs}, eta=${py(op.eta)})\nlosses[-1]` };
    case 'set':
      return {
        md: `The instructor set ${op.tensor}[${op.index.join('][')}] by hand.`,
        code: `params['${op.tensor}'] = params['${op.tensor}'].copy()\nparams['${op.tensor}'][${op.index.join(', ')}] = ${py(op.value)}`,
      };
    case 'assign':
      return { md: `Reset to ${presetText(config, op.preset, op.seed)}.`, code: paramsLiteral(config, op.params, 'params') };
    default: {
      const unknown: never = op;
      throw new Error(`unknown op ${JSON.stringify(unknown)}`);
    }
  }
}

function dataCode(data: MlpData, xName: string, yName: string): string {
  return `${xName} = ${arrayLiteral(data.x, [data.count, data.inputs], xName.length + 3)}\n${yName} = np.array([${Array.from(data.y, py).join(', ')}]).reshape(-1, ${data.outputs})`;
}

export function mlpNotebook(lecture: LectureConfig, commands: number, history: WeightHistory): NotebookJson {
  const { network, dataset: spec, testLoss } = history.final;
  const { config } = network;
  const layout = mlpLayout(config);
  const { dataset, train, test } = packedData(spec);
  const output = layout.layers[layout.layers.length - 1];
  const nb = new NotebookWriter();
  // User text (the title, the dataset's name and columns): escaped in markdown, string literals in code (text.ts).
  const features = dataset.featureNames.map(markdownText).join(', ');
  const target = markdownText(dataset.targetName);

  nb.md(
    `# ${markdownText(lecture.title)}\n\nExported from Backprop Live, lecture \`${lecture.lectureId}\`, after ${commands} command${commands === 1 ? '' : 's'} ` +
      `(epoch ${network.epoch}, row ${network.sampleIndex}): ${describeNetwork(config)} on ${markdownText(datasetLabel(spec))}. ` +
      "It follows the teaching notebook's steps, in the lecture's names.\n\n" +
      "Run the cells in order: they start from the parameters the lecture's network began with and replay every change that was not undone, " +
      "so `params` ends equal to the lecture's parameters.",
  );
  nb.code('import numpy as np');

  nb.md(
    `# Data\n\n${markdownText(dataset.name)}: ${train.count} training rows, in the order the lecture trains on them. ` +
      `Each row of \`X\` is one input ${layout.input} (features: ${features}); \`y\` holds the target (${target}).`,
  );
  nb.code(`FEATURES = [${dataset.featureNames.map(pyString).join(', ')}]\nTARGET = ${pyString(dataset.targetName)}\n${dataCode(train, 'X', 'y')}`);
  if (test) {
    nb.md(`The ${test.count} held-out rows: never trained on, they measure how well the network does on data it has not seen.`);
    nb.code(dataCode(test, 'X_test', 'y_test'));
  }

  nb.md(
    `# The network\n\n${capitalised(describeNetwork(config))}. Each layer computes a weighted sum of the layer below${config.biases ? ' plus its biases' : ''} ` +
      `and applies its activation function (the formulas are listed under "One pass"); the last layer's activation ${output.A} is the prediction ŷ. ` +
      'The activation functions and their slopes dA/dZ:',
  );
  nb.code([...new Set(layout.activations)].map((fn) => ACTIVATION_SPECS[fn].numpy).join('\n\n'));
  nb.md(LOSS_SPECS[config.loss].numpy.markdown(output.Z));
  nb.code(LOSS_SPECS[config.loss].numpy.code);

  nb.md(`# Parameters\n\n${originText(config, history.origin)} \`eta\` is the learning rate then; every step below names the one it used.`);
  nb.code(`PARAMETERS = [${layout.parameters.map((p) => `'${p}'`).join(', ')}]\n${paramsLiteral(config, history.origin.params, 'params')}\neta = ${py(history.origin.eta)}`);

  nb.md(
    `# One pass\n\nThe stages, in order:\n\n${layout.stages.map((s) => `- \`${s.formula.text}\``).join('\n')}\n\n` +
      (layout.batched ? 'Rows are stacked: each per-row tensor has one row per row of the batch, and k is the number of rows.' : 'Each tensor is a vector: one row at a time.'),
  );
  nb.code(stepCode(layout));

  const batch = batchText(config, train.count);
  nb.md(`# Train\n\n${batch.md} Each epoch goes through the rows in order from row 0 and records the mean of the rows' losses.`);
  nb.code(
    [
      `BATCH = ${batch.value}`,
      '',
      'def batch_rows(start):',
      '    """How many rows the pass starting at row `start` covers."""',
      '    return min(BATCH, len(X) - start)',
      '',
      'def train(params, epochs, eta):',
      '    losses = []',
      '    for epoch in range(epochs):',
      '        total = 0.0',
      '        start = 0',
      '        while start < len(X):',
      '            k = batch_rows(start)',
      '            params, L = step(params, start, k, eta)',
      '            total += np.sum(L)',
      '            start += k',
      '        losses.append(total/len(X))',
      '    return params, losses',
    ].join('\n'),
  );

  nb.md('# This lecture\n\nEvery change of the parameters, in order (undone steps left out).');
  const groups = passRuns(history.ops, train.count);
  if (groups.length === 0) nb.md('The parameters were not changed since.');
  for (const group of groups) {
    const { md, code } = opCode(config, group);
    nb.md(md);
    nb.code(code);
  }

  nb.md("# Where the lecture stands\n\nThe parameters now, checked against the lecture's.");
  nb.code(
    `${paramsLiteral(config, Object.fromEntries(layout.parameters.map((p) => [p, network.tensors[p].data])), 'lecture_params')}\n` +
      'print("largest difference from the lecture:", max(np.abs(params[name] - lecture_params[name]).max() for name in PARAMETERS))\nparams',
  );

  if (test) {
    const recorded = testLoss.length ? ` The lecture measures it each time an epoch ends; the last it recorded was ${testLoss.at(-1)}.` : '';
    nb.md(`The loss on the held-out rows with the parameters now: the mean of each row's loss, all rows at once.${recorded}`);
    nb.code(
      [
        'def test_loss(params):',
        `    ${unpack(layout)}`,
        `    ${layout.input} = X_test`,
        ...passStatements(layout, 'y_test', true, ['forward']).map((s) => `    ${s}`),
        '    return np.mean(L)',
        '',
        'test_loss(params)',
      ].join('\n'),
    );
  }

  const rows = network.sampleIndex;
  const input = inputStatements(layout, layout.batched);
  const where = layout.batched ? `batch (from row ${rows})` : `row (${rows})`;
  nb.md(`One pass shown stage by stage on the lecture's current ${where}, with the parameters now (nothing is updated).`);
  nb.code(
    [
      `start = ${rows}`,
      'k = batch_rows(start)',
      unpack(layout),
      ...input.lines,
      ...passStatements(layout, input.target, layout.batched),
      `${output.A}, L, ${layout.layers[0].dL_dW}`,
    ].join('\n'),
  );

  return nb.notebook(lecture.lectureId, commands);
}
