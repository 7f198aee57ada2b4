/**
 * A lecture as a Jupyter notebook (nbformat 4). For the teaching notebook's own 3-4-1 network on its
 * truth table, in that notebook's style and names (A, W, B, B_act, V, C, C_act, L, dL_dV, …), with its
 * errors corrected and its empty "# Train" section written; for every other network, in the same
 * style with the network's layer-indexed names (mlp-notebook.ts). Running the code cells in order
 * starts from the lecture's exact initial weights and replays what changed them, leaving the
 * parameters equal to the lecture's at the moment of export.
 */
import { NOTEBOOK_ROWS } from '../datasets/truth-tables.js';
import type { LectureConfig, LectureEvent } from '../lecture/decider.js';
import { weightHistory, type WeightHistory, type WeightOp } from './weight-ops.js';
import { isNotebookConfig, NOTEBOOK_MLP_CONFIG } from '../engine/mlp/config.js';
import { mlpTensorShape } from '../engine/mlp/layout.js';
import type { MlpState } from '../engine/mlp/network.js';
import { isNotebookDataset, type DatasetSpec } from '../datasets/spec.js';
import { NotebookWriter, py, type NotebookJson } from './ipynb.js';
import { markdownText } from './text.js';
import { mlpNotebook } from './mlp-notebook.js';

export type { NotebookJson } from './ipynb.js';

function matrix(data: readonly number[], rows: number, cols: number): string {
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) lines.push(`[${data.slice(i * cols, i * cols + cols).map(py).join(', ')}]`);
  return `np.array([${lines.join(',\n              ')}])`;
}

/** A parameter of the notebook network (W or V) as a numpy literal of its shape. */
function parameterLiteral(name: 'W' | 'V', data: readonly number[]): string {
  const [rows, cols] = mlpTensorShape(NOTEBOOK_MLP_CONFIG, name);
  return matrix(data, rows, cols);
}
const wLiteral = (data: readonly number[]) => parameterLiteral('W', data);
const vLiteral = (data: readonly number[]) => parameterLiteral('V', data);

/** Whether the lecture ends on the teaching notebook's own network and data: then the export is in that notebook's names. */
function isTeachingNotebook(network: MlpState, dataset: DatasetSpec): boolean {
  return isNotebookConfig(network.config) && isNotebookDataset(dataset);
}

/** Consecutive passes over samples s, s+1, … (mod 8) at one learning rate become one loop. */
function sampleRuns(ops: readonly WeightOp[]): WeightOp[][] {
  const groups: WeightOp[][] = [];
  for (const op of ops) {
    const group = groups.at(-1);
    const last = group?.at(-1);
    if (op.type === 'pass' && last?.type === 'pass' && last.eta === op.eta && op.start === (last.start + 1) % NOTEBOOK_ROWS.length) {
      group!.push(op);
    } else {
      groups.push([op]);
    }
  }
  return groups;
}

const ASSIGN_TEXT = {
  reset: 'Reset to',
  network: 'The lecture switched to this network, with weights from',
  dataset: 'The lecture switched to this dataset, with weights from',
} as const;

const presetText = (preset: string, seed: number) => `the \`${preset}\` preset${preset === 'random' ? ` (seed ${seed})` : ''}`;

function opCode(group: WeightOp[]): { md: string; code: string } {
  const op = group[0];
  switch (op.type) {
    case 'pass': {
      if (group.length === 1) return { md: `A pass on sample ${op.start} with η = ${op.eta}.`, code: `W, V, L = backprop_step(W, V, ${op.start}, eta=${py(op.eta)})` };
      return {
        md: `${group.length} passes, one sample after the other from sample ${op.start}, with η = ${op.eta}.`,
        code: `for k in range(${group.length}):\n    W, V, L = backprop_step(W, V, (${op.start} + k) % len(y), eta=${py(op.eta)})`,
      };
    }
    case 'train':
      return { md: `Training: ${op.epochs} epoch${op.epochs > 1 ? 's' : ''} at η = ${op.eta}.`, code: `W, V, losses = train(W, V, epochs=${op.epochs}, eta=${py(op.eta)})\nlosses[-1]` };
    case 'set':
      return {
        md: `The instructor set ${op.tensor}[${op.index.join('][')}] by hand.`,
        code: `${op.tensor} = ${op.tensor}.copy()\n${op.tensor}[${op.index.join(', ')}] = ${py(op.value)}`,
      };
    case 'assign':
      return {
        md: `${ASSIGN_TEXT[op.reason]} ${presetText(op.preset, op.seed)}.`,
        code: `W = ${wLiteral(op.params.W)}\nV = ${vLiteral(op.params.V)}`,
      };
    default: {
      const unknown: never = op;
      throw new Error(`unknown op ${JSON.stringify(unknown)}`);
    }
  }
}

/** Where the weights of the first code cell come from. */
function originText({ origin }: WeightHistory): string {
  if (origin.reason !== 'start') return `${ASSIGN_TEXT[origin.reason]} ${presetText(origin.preset, origin.seed)}, and the learning rate.`;
  const source =
    origin.preset === 'random'
      ? `, seed ${origin.seed}: W = −randn(3,4), V = randn(4,1) from Backprop Live's seeded generator`
      : ", recovered from the notebook's printed outputs";
  return `The lecture's initial weights (preset \`${origin.preset}\`${source}) and learning rate.`;
}

export function lectureNotebook(config: LectureConfig, events: readonly LectureEvent[]): NotebookJson {
  const history = weightHistory(config, events);
  const { network, dataset } = history.final;
  return isTeachingNotebook(network, dataset) ? teachingNotebook(config, events.length, history) : mlpNotebook(config, events.length, history);
}

function teachingNotebook(config: LectureConfig, commands: number, history: WeightHistory): NotebookJson {
  const final = history.final.network;
  const nb = new NotebookWriter();
  const md = (text: string) => nb.md(text);
  const code = (text: string) => nb.code(text);
  const column = (k: number) => `[${NOTEBOOK_ROWS.map((r) => r[k]).join(',')}]`;
  const sample = final.sampleIndex;

  md(
    `# ${markdownText(config.title)}\n\nExported from Backprop Live, lecture \`${config.lectureId}\`, after ${commands} command${commands === 1 ? '' : 's'} ` +
      `(epoch ${final.epoch}, sample ${sample}). It follows the teaching notebook's steps and names, with its mistakes corrected ` +
      `(dL/dC_act = C_act − y; dL/dV uses B_act; dL/dW is the outer product A[i]·dL/dB[j]; V ← V − η·dL/dV), and its empty "# Train" section written.\n\n` +
      `Run the cells in order: they start from the lecture's initial weights and replay every change, so W and V end as the lecture's.`,
  );
  code('import numpy as np');
  md('# Theory\n\nInitialize Data');
  code(`X1=${column(0)}\nX2=${column(1)}\nX3=${column(2)}\ny =${column(3)}`);
  md('Input layer (A) -> Hidden layer (B) -> output (C)\n\nThe sigmoid activation:');
  code('def sigmoid(x):\n    return 1.0/(1.0+np.exp(-x))');
  md(originText(history));
  code(`W = ${wLiteral(history.origin.params.W)}\nV = ${vLiteral(history.origin.params.V)}\neta = ${py(history.origin.eta)}`);

  md(
    '# One pass, corrected\n\nForward: $B=A\\cdot W$, $B_{act}=\\sigma(B)$, $C=B_{act}\\cdot V$, $C_{act}=\\sigma(C)$, $L=\\frac{1}{2}(y-C_{act})^2$.\n\n' +
      'Backward, by the chain rule: $\\frac{\\partial L}{\\partial C_{act}}=C_{act}-y$, $\\frac{\\partial C_{act}}{\\partial C}=C_{act}(1-C_{act})$, ' +
      '$\\frac{\\partial L}{\\partial V}=\\frac{\\partial L}{\\partial C_{act}}\\frac{\\partial C_{act}}{\\partial C}B_{act}$, ' +
      '$\\frac{\\partial L}{\\partial B_{act}}=\\frac{\\partial L}{\\partial C_{act}}\\frac{\\partial C_{act}}{\\partial C}V$, ' +
      '$\\frac{\\partial B_{act}}{\\partial B}=B_{act}(1-B_{act})$, $\\frac{\\partial L}{\\partial B}=\\frac{\\partial L}{\\partial B_{act}}\\odot\\frac{\\partial B_{act}}{\\partial B}$, ' +
      '$\\frac{\\partial L}{\\partial W_{ij}}=A_i\\frac{\\partial L}{\\partial B_j}$; then $W\\leftarrow W-\\eta\\frac{\\partial L}{\\partial W}$, $V\\leftarrow V-\\eta\\frac{\\partial L}{\\partial V}$.',
  );
  code(
    [
      'def backprop_step(W, V, i, eta):',
      '    """One pass on sample i: forward, loss, backward, update. Returns the new W, V and the loss."""',
      '    A = np.array([X1[i], X2[i], X3[i]], dtype=float)',
      '    B = np.dot(A, W)',
      '    B_act = sigmoid(B)',
      '    C = np.dot(B_act, V)',
      '    C_act = sigmoid(C)',
      '    L = 0.5*(y[i]-C_act)**2',
      '    dL_dC_act = C_act - y[i]',
      '    dC_act_dC = C_act*(1-C_act)',
      '    dL_dV = (dL_dC_act*dC_act_dC)*B_act.reshape(4, 1)',
      '    dL_dB_act = (dL_dC_act*dC_act_dC)*V.reshape(4)',
      '    dB_act_dB = B_act*(1-B_act)',
      '    dL_dB = dL_dB_act*dB_act_dB',
      '    dL_dW = np.outer(A, dL_dB)',
      '    return W - eta*dL_dW, V - eta*dL_dV, L[0]',
    ].join('\n'),
  );
  md('# Train\n\nPer-sample SGD over the 8 rows in row order; each epoch records its mean loss.');
  code(
    [
      'def train(W, V, epochs, eta):',
      '    losses = []',
      '    for epoch in range(epochs):',
      '        total = 0.0',
      '        for i in range(len(y)):',
      '            W, V, L = backprop_step(W, V, i, eta)',
      '            total += L',
      '        losses.append(total/len(y))',
      '    return W, V, losses',
    ].join('\n'),
  );

  md('# This lecture\n\nEvery change of the weights, in order (undone steps left out).');
  const groups = sampleRuns(history.ops);
  if (groups.length === 0) md('The weights were not changed during the lecture.');
  for (const group of groups) {
    const { md: text, code: source } = opCode(group);
    md(text);
    code(source);
  }

  md(`# Where the lecture stands\n\nThe weights now, checked against the lecture's, and one pass shown stage by stage on sample ${sample}, in the notebook's names.`);
  code(
    `W_lecture = ${wLiteral(final.tensors.W.data)}\nV_lecture = ${vLiteral(final.tensors.V.data)}\n` +
      `print("largest difference from the lecture:", max(np.abs(W - W_lecture).max(), np.abs(V - V_lecture).max()))\nW, V`,
  );
  code(
    [
      `A = np.array([X1[${sample}], X2[${sample}], X3[${sample}]], dtype=float)`,
      'B = np.dot(A, W)',
      'B_act = sigmoid(B)',
      'C = np.dot(B_act, V)',
      'C_act = sigmoid(C)',
      `L = 0.5*(y[${sample}]-C_act)**2`,
      `dL_dC_act = C_act - y[${sample}]`,
      'dC_act_dC = C_act*(1-C_act)',
      'dL_dV = (dL_dC_act*dC_act_dC)*B_act.reshape(4, 1)',
      'dL_dB_act = (dL_dC_act*dC_act_dC)*V.reshape(4)',
      'dB_act_dB = B_act*(1-B_act)',
      'dL_dB = dL_dB_act*dB_act_dB',
      'dL_dW = np.outer(A, dL_dB)',
      'B, B_act, C_act, L, dL_dV.ravel(), dL_dW',
    ].join('\n'),
  );

  return nb.notebook(config.lectureId, commands);
}
