/**
 * What a lecture's network is made of: an architecture (MlpConfig), a dataset (DatasetSpec) and
 * initial weights (a preset and a seed). The notebook's 3-4-1 network on its truth table, with its
 * recovered weights, is the default; every other combination is built the same way.
 */
import { makeDataset, type DatasetSpec, NOTEBOOK_DATASET_SPEC } from '../datasets/spec.js';
import type { Dataset } from '../datasets/types.js';
import type { Preset } from '../engine/mlp/init.js';
import { indexProblem, own } from '../engine/tensor.js';
import { layerSizes, notebookWeightsFit, NOTEBOOK_MLP_CONFIG, type MlpConfig } from '../engine/mlp/config.js';
import { dataProblem, packData, type MlpData } from '../engine/mlp/data.js';
import { initialParams } from '../engine/mlp/init.js';
import { mlpTensorShape, mlpLayout } from '../engine/mlp/layout.js';
import { createMlp, type MlpState } from '../engine/mlp/network.js';
import { upcomingPassRows } from './pass.js';

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

/** Why `tensor[index]` is not an element of this network (in the pass it is in), or null. */
export function elementProblem(network: MlpState, tensor: string, index: readonly number[]): string | null {
  const shape = upcomingShape(network, tensor);
  if (!shape) return `this network has no tensor ${tensor}; it has ${mlpLayout(network.config).tensorNames.join(', ')}`;
  return indexProblem(tensor, shape, index);
}
