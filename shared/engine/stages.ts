/** The 14 stages of one pass, in the order `step` walks them. */
export const STAGES = [
  'input',
  'B',
  'B_act',
  'C',
  'C_act',
  'L',
  'dL_dC_act',
  'dC_act_dC',
  'dL_dV',
  'dL_dB_act',
  'dB_act_dB',
  'dL_dB',
  'dL_dW',
  'update',
] as const;
export type PassStage = (typeof STAGES)[number];
/** `idle`: no stage of the current pass computed yet (after create, reset, selectSample, setWeight, train). */
export type Stage = 'idle' | PassStage;
export const STAGE_NAMES = ['idle', ...STAGES] as const;

export const STAGE_PHASES = { forward: 'forward', backward: 'backward', update: 'update' } as const;
export type StagePhase = (typeof STAGE_PHASES)[keyof typeof STAGE_PHASES];

export function stagePhase(stage: PassStage): StagePhase {
  const i = STAGES.indexOf(stage);
  if (i <= STAGES.indexOf('L')) return 'forward';
  if (i <= STAGES.indexOf('dL_dW')) return 'backward';
  return 'update';
}

/** Position of a stage in the pass; `idle` is before the first (−1). */
export function stagePosition(stage: Stage): number {
  return stage === 'idle' ? -1 : STAGES.indexOf(stage);
}

/** Every tensor the notebook network has, with its shape. */
export const TENSOR_SHAPES = {
  A: [3],
  y: [1],
  W: [3, 4],
  V: [4, 1],
  B: [4],
  B_act: [4],
  C: [1],
  C_act: [1],
  L: [1],
  dL_dC_act: [1],
  dC_act_dC: [1],
  dL_dV: [4, 1],
  dL_dB_act: [4],
  dB_act_dB: [4],
  dL_dB: [4],
  dL_dW: [3, 4],
} as const satisfies Record<string, readonly number[]>;
export type TensorName = keyof typeof TENSOR_SHAPES;
export const TENSOR_NAMES = Object.keys(TENSOR_SHAPES) as TensorName[];

/** The tensor each stage computes (`update` changes W and V; `input` loads A and y). */
export const STAGE_OUTPUTS: Record<PassStage, readonly TensorName[]> = {
  input: ['A', 'y'],
  B: ['B'],
  B_act: ['B_act'],
  C: ['C'],
  C_act: ['C_act'],
  L: ['L'],
  dL_dC_act: ['dL_dC_act'],
  dC_act_dC: ['dC_act_dC'],
  dL_dV: ['dL_dV'],
  dL_dB_act: ['dL_dB_act'],
  dB_act_dB: ['dB_act_dB'],
  dL_dB: ['dL_dB'],
  dL_dW: ['dL_dW'],
  update: ['W', 'V'],
};

/** The stage that computes each tensor in a pass (`input` loads A and y; `update` produces new W and V). */
export const PRODUCING_STAGE = Object.fromEntries(
  STAGES.flatMap((stage) => STAGE_OUTPUTS[stage].map((name) => [name, stage] as const)),
) as Record<TensorName, PassStage>;

/**
 * The stages a command ran to get from `before` to `after` (step, forward, backward, update).
 * A pass that was complete (`update`) or not begun (`idle`) starts over at `input`.
 */
export function stagesRun(before: Stage, after: Stage): PassStage[] {
  if (after === 'idle') return [];
  const from = before === 'idle' || before === 'update' ? 0 : stagePosition(before) + 1;
  return STAGES.slice(from, stagePosition(after) + 1);
}

/** Whether the pass standing at `stage` has computed `tensor` already (a complete pass counts as not begun). */
export function computedInPass(stage: Stage, tensor: TensorName): boolean {
  if (stage === 'idle' || stage === 'update') return false;
  return stagePosition(stage) >= stagePosition(PRODUCING_STAGE[tensor]);
}
