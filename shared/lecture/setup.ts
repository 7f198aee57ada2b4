/**
 * What a lecture's network is made of: an architecture (MlpConfig), a dataset (DatasetSpec) and
 * initial weights (a preset and a seed). The notebook's 3-4-1 network on its truth table, with its
 * recovered weights, is the default; every other combination is built the same way.
 */
import { makeDataset, type Dataset, type DatasetSpec, NOTEBOOK_DATASET_SPEC } from '../datasets/index.js';
import type { Preset } from '../engine/mlp/init.js';
import { own } from '../engine/tensor.js';
import {
  createMlp,
  dataProblem,
  initialParams,
  layerSizes,
  mlpTensorShape,
  mlpLayout,
  mlpPassRows,
  packData,
  NOTEBOOK_MLP_CONFIG,
  type MlpConfig,
  type MlpData,
  type MlpState,
} from '../engine/mlp/index.js';

export { NOTEBOOK_DATASET_SPEC, NOTEBOOK_MLP_CONFIG };

/** A dataset packed for the engine: the training rows, and the held-out rows when there are any. */
export interface PackedData {
  readonly dataset: Dataset;
  readonly train: MlpData;
  readonly test: MlpData | null;
}

const packedCache = new WeakMap<DatasetSpec, PackedData>();

/** The dataset a spec describes, packed (memoised per spec object). */
export function packedData(spec: DatasetSpec): PackedData {
  let packed = packedCache.get(spec);
  if (!packed) {
    const dataset = makeDataset(spec);
    const inputs = dataset.featureNames.length;
    const test = dataset.test.length > 0 ? packData(dataset.test, inputs) : null;
    packed = { dataset, train: packData(dataset.train, inputs), test };
    packedCache.set(spec, packed);
  }
  return packed;
}

/** The config with as many inputs as the dataset has features (the same object when it already fits). */
export function fitInputs(config: MlpConfig, spec: DatasetSpec): MlpConfig {
  const inputs = packedData(spec).train.inputs;
  return config.inputs === inputs ? config : { ...config, inputs };
}

/** The notebook's recovered weights fit a 3-4-1 network only. */
export function notebookWeightsFit(config: MlpConfig): boolean {
  return layerSizes(config).join('-') === '3-4-1';
}

/** Why this network cannot learn from this dataset, or null. */
export function setupProblem(config: MlpConfig, spec: DatasetSpec, preset: Preset): string | null {
  if (preset === 'notebook' && !notebookWeightsFit(config)) {
    return `the notebook's weights fit only a 3-4-1 network; this one is ${layerSizes(config).join('-')} (use the random preset)`;
  }
  return dataProblem(config, packedData(spec).train);
}

/**
 * A fresh network of `config` on `spec`'s training rows, with the preset's weights. Throws on a
 * setupProblem (initialParams and createMlp check what it checks; `decide` asked it first).
 */
export function buildNetwork(config: MlpConfig, spec: DatasetSpec, preset: Preset, seed: number, learningRate: number): MlpState {
  return createMlp({ config, data: packedData(spec).train, params: initialParams(config, preset, seed), learningRate });
}

/** The shape a tensor has, or will have once its stage runs in the pass the network is in (or about to start). */
export function upcomingShape(network: MlpState, tensor: string): number[] | null {
  const computed = own(network.tensors, tensor);
  if (computed) return [...computed.shape];
  if (!mlpLayout(network.config).tensorNames.includes(tensor)) return null;
  return mlpTensorShape(network.config, tensor, upcomingPassRows(network));
}

/** The rows of the pass under way, or of the pass the next step starts (after `update`: the next one). */
export function upcomingPassRows(network: MlpState): number {
  const start = network.stage === 'update' ? nextPassStart(network) : network.sampleIndex;
  return mlpPassRows(network.config, network.data, start);
}

function nextPassStart(network: MlpState): number {
  const next = network.sampleIndex + mlpPassRows(network.config, network.data, network.sampleIndex);
  return next >= network.data.count ? 0 : next;
}

/** An index into a shape, or a message saying why it is not one. */
export function indexProblem(tensor: string, shape: readonly number[], index: readonly number[]): string | null {
  if (index.length !== shape.length) {
    return `index for ${tensor} needs ${shape.length} number${shape.length > 1 ? 's' : ''} (its shape is [${shape.join(', ')}])`;
  }
  const bad = index.findIndex((i, axis) => i >= shape[axis]);
  return bad >= 0 ? `index [${index.join(', ')}] is outside ${tensor}, whose shape is [${shape.join(', ')}]` : null;
}

/** Row-major flat position of an index in a shape. */
export function flatIndex(shape: readonly number[], index: readonly number[]): number {
  return index.length === 2 ? index[0] * shape[1] + index[1] : index[0];
}

/** Why `tensor[index]` is not an element of this network (in the pass it is in), or null. */
export function elementProblem(network: MlpState, tensor: string, index: readonly number[]): string | null {
  const shape = upcomingShape(network, tensor);
  if (!shape) return `this network has no tensor ${tensor}; it has ${mlpLayout(network.config).tensorNames.join(', ')}`;
  return indexProblem(tensor, shape, index);
}
