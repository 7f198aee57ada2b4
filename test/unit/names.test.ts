import { describe, expect, it } from 'vitest';
import { mlpConfig, NOTEBOOK_MLP_CONFIG } from '../../shared/engine/mlp/config.js';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import { describeCommand, describeEvent, describeNetwork, describeStage, describeTensor } from '../../client/lib/describe.js';
import { COMMAND_TYPES, type RecordedCommand } from '../../shared/protocol/commands.js';
import { diagramGeometry } from '../../client/lib/diagram-layout.js';
import { tensorTex, unitLayer, weightLabel } from '../../client/lib/names.js';
import { elementText, stageLabel, tensorLabel } from '../../shared/engine/mlp/tensor-names.js';

const deep = mlpConfig({ inputs: 2, hidden: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'relu' }], biases: true, batch: 10 });

describe('names of any network', () => {
  it('label the notebook as before and layer-indexed names as derivatives', () => {
    expect(tensorLabel('dL_dC_act')).toBe('∂L/∂C_act');
    expect(tensorLabel('dC_act_dC')).toBe('∂C_act/∂C');
    expect(tensorLabel('B_act')).toBe('B_act');
    expect(tensorLabel('dA1_dZ1')).toBe('∂A1/∂Z1');
    expect(stageLabel('idle')).toBe('not started');
    expect(stageLabel('dL_dW2')).toBe('∂L/∂W2');
  });

  it('write LaTeX symbols with the layer as a superscript and 1-based indices', () => {
    expect(tensorTex('B_act', [1])).toBe('B_{act,2}');
    expect(tensorTex('W', [0, 2])).toBe('W_{13}');
    expect(tensorTex('W1', [11, 2])).toBe('W^{[1]}_{12,3}');
    expect(tensorTex('dL_dZ2', ['j'])).toBe('\\frac{\\partial L}{\\partial Z^{[2]}_j}');
    expect(tensorTex('dA1_dZ1', [0])).toBe('\\frac{\\partial A^{[1]}_1}{\\partial Z^{[1]}_1}');
  });

  it('write elements as the tensor cards do', () => {
    expect(elementText('C_act', [1], [0])).toBe('C_act');
    expect(elementText('V', [4, 1], [2, 0])).toBe('V[3]');
    expect(elementText('A1', [10, 8], [0, 2])).toBe('A1[1,3]');
  });

  it('name weights one way: the notebook in its subscripts, other networks as the tensor cards', () => {
    expect(weightLabel(NOTEBOOK_MLP_CONFIG, 'W', [0, 1])).toBe('W₁₂');
    expect(weightLabel(NOTEBOOK_MLP_CONFIG, 'V', [2, 0])).toBe('V₃');
    expect(weightLabel(deep, 'W2', [0, 1])).toBe('W2[1,2]');
    expect(weightLabel(deep, 'W3', [1, 0])).toBe('W3[2]');
    expect(weightLabel(deep, 'b1', [3])).toBe('b1[4]');
    // Every element of a parameter has a label of its own.
    const names = new Set<string>();
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) names.add(weightLabel(deep, 'W2', [i, j]));
    expect(names.size).toBe(64);
  });

  it('know which layer a per-unit tensor belongs to', () => {
    const layout = mlpLayout(deep);
    expect(unitLayer(layout, 'A0')).toBe(0);
    expect(unitLayer(layout, 'dL_dA2')).toBe(2);
    expect(unitLayer(layout, 'dA3_dZ3')).toBe(3);
    expect(unitLayer(layout, 'W1')).toBeNull();
  });
});

describe('descriptions in words', () => {
  it('say what a tensor and a stage are', () => {
    expect(describeTensor(deep, 'Z2')).toBe('Z2: pre-activation of hidden layer 2, one row per sample of the batch');
    expect(describeTensor(deep, 'dL_dW1')).toBe('∂L/∂W1: gradient of the loss with respect to W1');
    expect(describeTensor(deep, 'W3')).toBe('W3: weights into the output layer, one row per unit of hidden layer 2');
    expect(describeTensor(NOTEBOOK_MLP_CONFIG, 'B_act')).toBe('B_act: activation of the hidden layer');
    expect(describeTensor(NOTEBOOK_MLP_CONFIG, 'C_act')).toBe('C_act: the output ŷ, the activation of the output layer');
    expect(describeStage(deep, 'input')).toBe('load the batch’s rows into A0 and y');
    expect(describeStage(NOTEBOOK_MLP_CONFIG, 'B')).toBe('compute B: pre-activation of the hidden layer');
  });

  it('label an event that moved the pass by the stage it left the pass at', () => {
    const at = (command: RecordedCommand, stage: string) => describeEvent({ command, frame: { stage } }, NOTEBOOK_MLP_CONFIG);
    expect(at({ type: 'step' }, 'dL_dC_act')).toBe('Step → ∂L/∂C_act');
    expect(at({ type: 'step' }, 'input')).toBe('Step → input');
    expect(at({ type: 'back' }, 'B_act')).toBe('Back → B_act');
    expect(at({ type: 'back' }, 'idle')).toBe('Back → not started');
    expect(at({ type: 'forward' }, 'L')).toBe('Forward pass → L');
    expect(at({ type: 'backward' }, 'dL_dW')).toBe('Backward pass → ∂L/∂W');
    expect(at({ type: 'update' }, 'update')).toBe('Update');
    expect(at({ type: 'train', epochs: 500, epochsRun: 500 }, 'idle')).toBe('Train 500 epochs');
    expect(at({ type: 'bookmark', label: 'Why tanh?' }, 'B')).toBe('Bookmark: Why tanh?');
  });

  it('label every recorded command kind in words, not by its type', () => {
    const samples: RecordedCommand[] = [
      { type: 'step' },
      { type: 'back' },
      { type: 'forward' },
      { type: 'backward' },
      { type: 'update' },
      { type: 'selectSample', index: 2 },
      { type: 'train', epochs: 5, epochsRun: 3 },
      { type: 'reset', preset: 'random', seed: 3 },
      { type: 'setLearningRate', value: 0.5 },
      { type: 'setWeight', tensor: 'W', index: [0, 0], value: 1 },
      { type: 'setNetwork', network: deep, preset: 'random', seed: 1 },
      { type: 'setDataset', dataset: { kind: 'truthTable', table: 'xor' }, network: deep, preset: 'random', seed: 1 },
      { type: 'ask', tensor: 'C_act', index: [0] },
      { type: 'reveal' },
      { type: 'clearFlags' },
      { type: 'setPacing', mode: 'follow' },
      { type: 'spotlight', target: null },
      { type: 'setErrata', on: false },
      { type: 'bookmark', label: 'Here' },
      { type: 'setNarration', on: true },
    ];
    expect(samples.map((c) => c.type).sort()).toEqual(COMMAND_TYPES.filter((t) => t !== 'stop').sort());
    for (const c of samples) expect(describeEvent({ command: c, frame: { stage: 'idle' } }, NOTEBOOK_MLP_CONFIG), c.type).not.toBe(c.type);
    expect(describeCommand({ type: 'setNarration', on: true }, NOTEBOOK_MLP_CONFIG)).toBe('Narration recording on');
    expect(describeCommand({ type: 'setNarration', on: false }, NOTEBOOK_MLP_CONFIG)).toBe('Narration recording off');
  });

  it('label the new commands and keep the old labels', () => {
    expect(describeNetwork(deep)).toBe('2-8-8-1: tanh, relu, sigmoid; biases; batches of 10');
    expect(describeCommand({ type: 'setWeight', tensor: 'V', index: [2, 0], value: -1.25 }, NOTEBOOK_MLP_CONFIG)).toBe('Set V[3,1] = −1.2500');
    expect(describeCommand({ type: 'setWeight', tensor: 'b1', index: [3], value: 0.5 }, NOTEBOOK_MLP_CONFIG)).toBe('Set b1[4] = 0.5000');
    expect(describeCommand({ type: 'spotlight', target: { type: 'element', tensor: 'W', index: [2, 3] } }, NOTEBOOK_MLP_CONFIG)).toBe('Spotlight on W[3,4]');
    expect(describeCommand({ type: 'spotlight', target: { type: 'stage', stage: 'B_act' } }, NOTEBOOK_MLP_CONFIG)).toMatch(/^Spotlight on the stage B/);
    expect(describeCommand({ type: 'spotlight', target: null }, NOTEBOOK_MLP_CONFIG)).toBe('Spotlight off');
    expect(describeCommand({ type: 'setErrata', on: true }, NOTEBOOK_MLP_CONFIG)).toBe("Show the notebook's mistakes");
    expect(describeCommand({ type: 'ask', tensor: 'C_act', index: [0] }, NOTEBOOK_MLP_CONFIG)).toBe('Ask the class: predict C_act');
    expect(describeCommand({ type: 'ask', tensor: 'A1', index: [0, 2] }, deep)).toBe('Ask the class: predict A1[1,3]');
    expect(describeCommand({ type: 'setNetwork', network: deep, preset: 'random', seed: 4 }, NOTEBOOK_MLP_CONFIG)).toBe(
      'Network 2-8-8-1: tanh, relu, sigmoid; biases; batches of 10 (random weights, seed 4)',
    );
  });
});

describe('diagram geometry', () => {
  it('keeps the notebook drawing and fits wider networks in columns that never overlap', () => {
    expect(diagramGeometry(mlpLayout(NOTEBOOK_MLP_CONFIG), false).width).toBe(520);
    for (const config of [deep, mlpConfig({ inputs: 16, hidden: [16, 16, 16, 16].map((units) => ({ units, activation: 'relu' as const })), biases: true })]) {
      const g = diagramGeometry(mlpLayout(config), config.biases);
      g.columns.forEach((col, c) => {
        if (c > 0) expect(col.x).toBeGreaterThan(g.columns[c - 1].x + g.columns[c - 1].w);
        col.ys.forEach((y, j) => {
          expect(y - col.h / 2).toBeGreaterThanOrEqual(20);
          expect(y + col.h / 2).toBeLessThanOrEqual(g.height);
          if (j > 0) expect(y - col.ys[j - 1]).toBeGreaterThanOrEqual(col.h);
        });
      });
      expect(g.loss.y + g.loss.h / 2).toBeLessThanOrEqual(g.height);
      expect(g.loss.x + g.loss.w).toBeLessThanOrEqual(g.width);
    }
  });
});
