/**
 * A network's tensors, stages and elements as people read them in plain text ("B_act", "∂L/∂W1",
 * "W[2,3]"): the one notation of the client's views (client/lib/names.ts builds the rest of it,
 * TeX and headings, on these) and of the replay's chapter titles (shared/lecture/chapters.ts),
 * which is why it lives here.
 */
import type { MlpConfig } from './config.js';
import { mlpLayout, mlpTensorShape } from './layout.js';

/** "dL_dW1" → ["L", "W1"]; "dC_act_dC" → ["C_act", "C"]; null for a name that is not a derivative. */
export function derivativeParts(name: string): [string, string] | null {
  const m = /^d(.+?)_d(.+)$/.exec(name);
  return m ? [m[1], m[2]] : null;
}

/** A tensor's name as plain text: "B_act", "W1", "∂L/∂C_act", "∂A1/∂Z1". */
export function tensorLabel(name: string): string {
  const parts = derivativeParts(name);
  return parts ? `∂${parts[0]}/∂${parts[1]}` : name;
}

/** A stage's label for the stage strip: a stage is named after the tensor it computes. */
export function stageLabel(stage: string): string {
  if (stage === 'idle') return 'not started';
  if (stage === 'input' || stage === 'update') return stage;
  return tensorLabel(stage);
}

/**
 * An element as people read it in the tensor cards: 1-based, no index for a one-number tensor,
 * one index for a column ("C_act", "W1[2,3]", "B_act[1]", "V[2]").
 */
export function elementText(tensor: string, shape: readonly number[], index: readonly number[]): string {
  const label = tensorLabel(tensor);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 1) return label;
  if (shape.length === 2 && shape[1] === 1) return `${label}[${index[0] + 1}]`;
  return `${label}[${index.map((i) => i + 1).join(',')}]`;
}

/**
 * How many rows a label takes a batched tensor to have. Not the pass's (shared/lecture/pass.ts
 * knows those): a label says the same in every pass, so a batched tensor's element always names
 * its row (A2[5], never a bare A2 in a pass of one row).
 */
const LABEL_ROWS = 2;

/** A tensor's shape in a network as element labels read it (LABEL_ROWS rows when batched), or null for a name it does not have. */
export function tensorShapeIn(network: MlpConfig, tensor: string): readonly number[] | null {
  if (!mlpLayout(network).tensorNames.includes(tensor)) return null;
  return mlpTensorShape(network, tensor, LABEL_ROWS);
}

/**
 * An element as people read it, in the notation of the tensor cards: 1-based, and no index at
 * all for a one-number tensor ("C_act", "W[2,3]", "B_act[1]", "∂L/∂W1[1,2]"). Without a shape
 * (a name the network does not have) every index is printed.
 */
export function elementLabel(tensor: string, index: readonly number[], shape: readonly number[] | null): string {
  if (shape) return elementText(tensor, shape, index);
  return `${tensorLabel(tensor)}[${index.map((i) => i + 1).join(',')}]`;
}
