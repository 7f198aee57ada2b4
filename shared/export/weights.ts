/**
 * A lecture's numbers as plain data files: the parameters as JSON and the loss history as CSV
 * (the notebook export, notebook.ts, replays them as code instead).
 */
import { LossLog } from '../engine/loss-log.js';
import { mlpLayout } from '../engine/mlp/layout.js';
import type { MlpState } from '../engine/mlp/network.js';

/**
 * The parameters as JSON: every weight matrix as nested rows (like numpy's tolist()), every bias
 * vector as a list, under the network's names (W and V for the notebook's network; W1, b1, …),
 * with the architecture so the numbers can be put back into the same network.
 */
export function weightsJson(lectureId: string, seq: number, network: MlpState) {
  const rows = (data: readonly number[], cols: number) => Array.from({ length: data.length / cols }, (_, i) => data.slice(i * cols, i * cols + cols));
  const params: Record<string, number[] | number[][]> = {};
  for (const name of mlpLayout(network.config).parameters) {
    const t = network.tensors[name];
    params[name] = t.shape.length === 2 ? rows(t.data, t.shape[1]) : [...t.data];
  }
  return { lectureId, seq, learningRate: network.learningRate, network: network.config, ...params };
}

/** The loss per epoch; with a held-out split, the test loss after each epoch in a third column. */
export function lossCsv(history: LossLog, testHistory: LossLog = LossLog.EMPTY): string {
  return [...lossCsvPieces(history, testHistory)].join('');
}

/** The same text in pieces of at most `rows` rows, for streaming a history of any length. */
export function* lossCsvPieces(history: LossLog, testHistory: LossLog = LossLog.EMPTY, rows = 4096): Generator<string> {
  const withTest = testHistory.length > 0;
  yield withTest ? 'epoch,loss,test_loss\n' : 'epoch,loss\n';
  const losses = history.view();
  const tests = testHistory.view();
  for (let start = 0; start < losses.length; start += rows) {
    let piece = '';
    for (let i = start; i < Math.min(losses.length, start + rows); i++) piece += withTest ? `${i + 1},${losses[i]},${tests[i] ?? ''}\n` : `${i + 1},${losses[i]}\n`;
    yield piece;
  }
}
