import { datasetLabel } from '../../shared/datasets/spec.js';
import type { MlpConfig } from '../../shared/engine/mlp/config.js';
import { mlpLayout, type MlpLayout } from '../../shared/engine/mlp/layout.js';
import type { RecordedCommand } from '../../shared/protocol/commands.js';
import { LOSS_SPECS } from '../../shared/engine/mlp/losses.js';
import { derivativeParts, elementLabel, stageLabel, tensorLabel, tensorShapeIn } from '../../shared/engine/mlp/tensor-names.js';
import { fmt } from './format.js';
import { isPerRow, networkShapeText } from './names.js';

/**
 * One line in words for a recorded command: the replay's event label. An asked element is
 * written as the tensor cards write it (no index for one number) in the lecture's network.
 */
export function describeCommand(c: RecordedCommand, network: MlpConfig): string {
  switch (c.type) {
    case 'step':
      return 'Step';
    case 'back':
      return 'Back (undo)';
    case 'forward':
      return 'Forward pass';
    case 'backward':
      return 'Backward pass';
    case 'update':
      return 'Update';
    case 'selectSample':
      return `Select sample ${c.index}`;
    case 'train':
      return c.epochsRun === c.epochs ? `Train ${c.epochs} epochs` : `Train ${c.epochs} epochs (stopped after ${c.epochsRun})`;
    case 'reset':
      return c.preset === 'random' ? `Reset (random, seed ${c.seed})` : 'Reset (notebook weights)';
    case 'setLearningRate':
      return `Learning rate η = ${c.value}`;
    case 'setWeight':
      return `Set ${c.tensor}[${c.index.map((i) => i + 1).join(',')}] = ${fmt(c.value)}`;
    case 'setNetwork':
      return `Network ${describeNetwork(c.network)} (${weightsText(c.preset, c.seed)})`;
    case 'setDataset':
      return `Dataset: ${datasetLabel(c.dataset)}; network ${networkShapeText(c.network)} (${weightsText(c.preset, c.seed)})`;
    case 'ask':
      return `Ask the class: predict ${askedElement(c.tensor, c.index, network)}`;
    case 'reveal':
      return 'Reveal the prediction';
    case 'clearFlags':
      return 'Clear flags';
    case 'setPacing':
      return c.mode === 'follow' ? 'Pacing: follow' : 'Pacing: free';
    case 'spotlight':
      if (!c.target) return 'Spotlight off';
      return c.target.type === 'stage' ? `Spotlight on the stage ${stageLabel(c.target.stage)}` : `Spotlight on ${askedElement(c.target.tensor, c.target.index, network)}`;
    case 'setErrata':
      return c.on ? "Show the notebook's mistakes" : "Hide the notebook's mistakes";
    case 'bookmark':
      return `Bookmark: ${c.label}`;
    case 'setNarration':
      return c.on ? 'Narration recording on' : 'Narration recording off';
    default:
      // Commands added to the protocol later still get a label: their type.
      return String((c as { type: string }).type);
  }
}

/**
 * A recorded event's label for the replay's list and the timeline's marks: the command in words
 * and, for one that moved the pass, the stage it left the pass at, from the frame it produced
 * ("Step → ∂L/∂C_act", "Back → B_act", "Forward pass → L"): a bare "Step" says nothing of where.
 */
export function describeEvent(event: { readonly command: RecordedCommand; readonly frame: { readonly stage: string } }, network: MlpConfig): string {
  const { command, frame } = event;
  switch (command.type) {
    case 'step':
      return `Step → ${stageLabel(frame.stage)}`;
    case 'back':
      return `Back → ${stageLabel(frame.stage)}`;
    case 'forward':
    case 'backward':
      return `${describeCommand(command, network)} → ${stageLabel(frame.stage)}`;
    default:
      return describeCommand(command, network);
  }
}

function weightsText(preset: string, seed: number): string {
  return preset === 'random' ? `random weights, seed ${seed}` : 'notebook weights';
}

/** "2-8-8-1: tanh, tanh, sigmoid; biases; cross-entropy; batches of 10". */
export function describeNetwork(config: MlpConfig): string {
  const layout = mlpLayout(config);
  const parts = [layout.activations.join(', ')];
  if (config.biases) parts.push('biases');
  // The default loss goes unsaid; any other is named as its table names it.
  if (config.loss !== 'halfSquaredError') parts.push(LOSS_SPECS[config.loss].name);
  if (config.batch === 'full') parts.push('full batch');
  else if (config.batch > 1) parts.push(`batches of ${config.batch}`);
  return `${layout.sizes.join('-')}: ${parts.join('; ')}`;
}

/** An element as the question views label it; every index written for a name the network does not have (a replay of an older lecture). */
function askedElement(tensor: string, index: readonly number[], network: MlpConfig): string {
  return elementLabel(tensor, index, tensorShapeIn(network, tensor));
}

/** Which layer, in words: "hidden layer 2", "the hidden layer" (only one), "the output layer". */
function layerWords(layout: MlpLayout, l: number): string {
  if (l === layout.layers.length) return 'the output layer';
  return layout.layers.length > 2 ? `hidden layer ${l}` : 'the hidden layer';
}

/** What a tensor of this network is, in a few words (its name not included). */
function tensorMeaning(layout: MlpLayout, name: string): string {
  if (name === layout.input) return 'the input row (the sample’s features)';
  if (name === layout.target) return 'the target';
  if (name === layout.loss) return 'the loss';
  const parts = derivativeParts(name);
  for (let l = 1; l <= layout.layers.length; l++) {
    const n = layout.layers[l - 1];
    const where = layerWords(layout, l);
    const from = l === 1 ? 'the inputs' : layerWords(layout, l - 1);
    if (name === n.W) return `weights into ${where}, one row per unit of ${from}`;
    if (name === n.b) return `biases of ${where}`;
    if (name === n.Z) return `pre-activation of ${where}`;
    if (name === n.A) return l === layout.layers.length ? `the output ŷ, the activation of ${where}` : `activation of ${where}`;
    if (name === n.dA_dZ) return `slope of the activation of ${where} (${layout.activations[l - 1]}′ at ${n.Z})`;
  }
  if (parts && parts[0] === 'L') return `gradient of the loss with respect to ${parts[1]}`;
  if (parts) return `derivative of ${parts[0]} with respect to ${parts[1]}`;
  return 'a tensor of this network';
}

/** "Z2: pre-activation of hidden layer 2", "dL_dW1: gradient of the loss with respect to W1". */
export function describeTensor(config: MlpConfig, name: string): string {
  const layout = mlpLayout(config);
  const batch = layout.batched && isPerRow(layout, name) ? ', one row per sample of the batch' : '';
  const label = tensorLabel(name);
  return `${label}: ${tensorMeaning(layout, name)}${batch}`;
}

/** What a stage does, in words: "compute Z2: pre-activation of hidden layer 2". */
export function describeStage(config: MlpConfig, stage: string): string {
  const layout = mlpLayout(config);
  if (stage === 'idle') return 'nothing computed yet in this pass';
  if (stage === 'input') return `load the ${layout.batched ? 'batch’s rows' : 'sample'} into ${layout.input} and y`;
  if (stage === 'update') return `update ${layout.parameters.join(', ')}: each takes a step of −η × its gradient`;
  return `compute ${describeTensor(config, stage)}`;
}
