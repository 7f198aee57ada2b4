import { z } from 'zod';
import { PRESET_NAMES } from '../engine/mlp/init.js';
import { parseMlpConfig, type MlpConfig } from '../engine/mlp/config.js';
import { DatasetSpecSchema, type DatasetSpec } from '../datasets/spec.js';
import { CSV_LIMITS } from '../datasets/csv.js';
import { withoutUnprintable } from '../datasets/safe-text.js';
import { LIMITS } from './limits.js';
import { FlagTarget, PACING_MODES, TensorElement, TensorNameSchema } from './collab.js';

const finite = z.number({ error: 'must be a finite number' });
const int = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const bare = <T extends string>(type: T) => z.strictObject({ type: z.literal(type) });

export const StepCommand = bare('step');
export const BackCommand = bare('back');
export const ForwardCommand = bare('forward');
export const BackwardCommand = bare('backward');
export const UpdateCommand = bare('update');
export const StopCommand = bare('stop');
/** The row (or first row of the batch) the next pass uses; the lecture checks it against its dataset. */
export const SelectSampleCommand = z.strictObject({
  type: z.literal('selectSample'),
  index: int(0, CSV_LIMITS.maxRows - 1),
});
export const TrainCommand = z.strictObject({
  type: z.literal('train'),
  epochs: int(1, LIMITS.maxEpochs),
});
export const PresetSchema = z.enum(PRESET_NAMES, { error: `preset must be one of ${PRESET_NAMES.join(', ')}` });
export const SeedSchema = int(0, LIMITS.maxSeed);
export const ResetCommand = z.strictObject({
  type: z.literal('reset'),
  preset: PresetSchema.optional(),
  seed: SeedSchema.optional(),
});
export const LearningRateSchema = finite
  .gt(0, 'must be greater than 0')
  .max(LIMITS.maxLearningRate, `must be at most ${LIMITS.maxLearningRate}`);
export const SetLearningRateCommand = z.strictObject({
  type: z.literal('setLearningRate'),
  value: LearningRateSchema,
});
/** Sets one element of a parameter (W, V; or W1, b1, …): the lecture checks the name and index against its network. */
export const SetWeightCommand = z.strictObject({
  type: z.literal('setWeight'),
  tensor: TensorNameSchema,
  index: z.array(int(0, 1000), { error: 'index must be [row, column] (or [i] for a bias)' }).min(1, 'index needs 1 or 2 numbers').max(2, 'index needs 1 or 2 numbers'),
  // −0 is read as 0: the recording keeps the command as JSON, which has no −0, so a lecture folded
  // back from it (or a replay) would otherwise hold a zero of another sign than the live one did.
  value: finite
    .min(-LIMITS.maxWeightMagnitude)
    .max(LIMITS.maxWeightMagnitude)
    .transform((x) => x + 0),
});

/** A network's architecture without its inputs, which follow the dataset. */
export type MlpShape = Omit<MlpConfig, 'inputs'>;

/**
 * A new architecture: hidden layers, output, loss, biases, batch, as in MlpConfig but without
 * `inputs`, which always follow the dataset. New weights: the preset (default: the notebook's
 * when the network is 3-4-1, else random) with the seed (default: a fresh one).
 */
export const SetNetworkCommand = z
  .strictObject({
    type: z.literal('setNetwork'),
    // The object as sent (z.record would silently drop a "__proto__" key): the config's strict schema names every unknown field.
    network: z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
      error: 'network must be an object like {"hidden": [{"units": 8, "activation": "tanh"}]}',
    }),
    preset: z.enum(PRESET_NAMES, { error: `preset must be one of ${PRESET_NAMES.join(', ')}` }).optional(),
    seed: int(0, LIMITS.maxSeed).optional(),
  })
  .transform((cmd, ctx) => {
    if (Object.hasOwn(cmd.network, 'inputs')) {
      ctx.addIssue({ code: 'custom', path: ['network', 'inputs'], message: 'inputs follow the dataset; leave them out' });
      return z.NEVER;
    }
    // Checked with a placeholder input count, which is then dropped: the lecture gives the network
    // the dataset's, and a parsed command parses again to itself.
    const parsed = parseMlpConfig({ ...cmd.network, inputs: 1 });
    if (!parsed.ok) {
      for (const message of parsed.errors) ctx.addIssue({ code: 'custom', path: ['network'], message });
      return z.NEVER;
    }
    const { inputs: _placeholder, ...shape } = parsed.config;
    const network: MlpShape = shape;
    return { type: 'setNetwork' as const, network, ...(cmd.preset !== undefined ? { preset: cmd.preset } : {}), ...(cmd.seed !== undefined ? { seed: cmd.seed } : {}) };
  });

/**
 * A new dataset (a truth table, a generated 2-D set or an uploaded CSV). The network keeps its
 * layers, takes as many inputs as the data has features, and gets new weights as for setNetwork.
 */
export const SetDatasetCommand = z.strictObject({
  type: z.literal('setDataset'),
  dataset: DatasetSpecSchema,
  preset: z.enum(PRESET_NAMES, { error: `preset must be one of ${PRESET_NAMES.join(', ')}` }).optional(),
  seed: int(0, LIMITS.maxSeed).optional(),
});

/** Opens a prediction on one element of a tensor not yet computed in this pass. */
export const AskCommand = z.strictObject({ type: z.literal('ask'), tensor: z.unknown(), index: z.unknown() }).transform((cmd, ctx) => {
  const element = TensorElement.safeParse({ tensor: cmd.tensor, index: cmd.index });
  if (!element.success) {
    for (const issue of element.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    return z.NEVER;
  }
  return { type: 'ask' as const, ...element.data };
});
export const RevealCommand = bare('reveal');
export const ClearFlagsCommand = bare('clearFlags');
export const SetPacingCommand = z.strictObject({
  type: z.literal('setPacing'),
  mode: z.enum(PACING_MODES, { error: `mode must be one of ${PACING_MODES.join(', ')}` }),
});
/**
 * Points every view of the lecture at one stage or element (`null` clears it); the lecture checks
 * the target against its network. Not undone by `back`; cleared when a new pass starts.
 */
export const SpotlightCommand = z.strictObject({
  type: z.literal('spotlight'),
  target: FlagTarget.nullable(),
});
/** Shows (or hides) the teaching notebook's mistakes beside the correct equations: notebook network only. */
export const SetErrataCommand = z.strictObject({
  type: z.literal('setErrata'),
  on: z.boolean({ error: 'on must be true or false' }),
});

/** The longest bookmark label, after cleaning: a chapter title in the replay's list. */
export const MAX_BOOKMARK_LENGTH = 80;

/**
 * A label as people will read it in a chapter list: what a title may not hold (control and
 * format characters such as newlines, bidi overrides and zero-width spaces, line separators,
 * half characters; see shared/datasets/safe-text.ts) removed, then trimmed. The zero-width
 * joiner stays, as in titles: emoji and several scripts need it.
 */
export function cleanLabel(text: string): string {
  return withoutUnprintable(text).trim();
}

/**
 * A named chapter mark the instructor drops live; the replay lists it as a chapter. Recorded,
 * not undone by `back`, changes nothing else. The label is cleaned (cleanLabel) and must then be
 * 1 to MAX_BOOKMARK_LENGTH characters.
 */
export const BookmarkCommand = z.strictObject({
  type: z.literal('bookmark'),
  label: z
    .string({ error: 'label must be a text' })
    .max(MAX_BOOKMARK_LENGTH * 4, `label must be at most ${MAX_BOOKMARK_LENGTH} characters`)
    .transform((label, ctx) => {
      const cleaned = cleanLabel(label);
      if (cleaned.length === 0) ctx.addIssue({ code: 'custom', message: 'label must have at least one visible character' });
      else if ([...cleaned].length > MAX_BOOKMARK_LENGTH) ctx.addIssue({ code: 'custom', message: `label must be at most ${MAX_BOOKMARK_LENGTH} characters; it has ${[...cleaned].length}` });
      return cleaned;
    }),
});
/** The console is recording the instructor's narration (on) or has paused or stopped (off): students see "🎙 recording". Not undone by `back`. */
export const SetNarrationCommand = z.strictObject({
  type: z.literal('setNarration'),
  on: z.boolean({ error: 'on must be true or false' }),
});

const COMMAND_SCHEMAS = {
  step: StepCommand,
  back: BackCommand,
  forward: ForwardCommand,
  backward: BackwardCommand,
  update: UpdateCommand,
  stop: StopCommand,
  selectSample: SelectSampleCommand,
  train: TrainCommand,
  reset: ResetCommand,
  setLearningRate: SetLearningRateCommand,
  setWeight: SetWeightCommand,
  setNetwork: SetNetworkCommand,
  setDataset: SetDatasetCommand,
  ask: AskCommand,
  reveal: RevealCommand,
  clearFlags: ClearFlagsCommand,
  setPacing: SetPacingCommand,
  spotlight: SpotlightCommand,
  setErrata: SetErrataCommand,
  bookmark: BookmarkCommand,
  setNarration: SetNarrationCommand,
} as const;

export type CommandType = keyof typeof COMMAND_SCHEMAS;
export const COMMAND_TYPES = Object.keys(COMMAND_SCHEMAS) as CommandType[];
export type Command = { [K in CommandType]: z.output<(typeof COMMAND_SCHEMAS)[K]> }[CommandType];

/**
 * The command as it was applied and recorded: what the instructor sent, with what the server
 * decided filled in (the preset and seed a reset used, the whole network a new dataset gave, the
 * epochs a stopped training ran), so a replay never has to guess. `stop` is not recorded: it
 * shows as `epochsRun`.
 */
export type RecordedCommand =
  | Exclude<Command, { type: 'reset' | 'train' | 'stop' | 'setNetwork' | 'setDataset' }>
  | { type: 'reset'; preset: z.infer<typeof PresetSchema>; seed: number }
  | { type: 'train'; epochs: number; epochsRun: number }
  | { type: 'setNetwork'; network: MlpConfig; preset: z.infer<typeof PresetSchema>; seed: number }
  | { type: 'setDataset'; dataset: DatasetSpec; network: MlpConfig; preset: z.infer<typeof PresetSchema>; seed: number };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Readable one-line description of what is wrong with an input. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
      if (issue.code === 'unrecognized_keys') return `${where}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${where}${issue.message}`;
    })
    .join('; ');
}

export function parseCommand(input: unknown): Parsed<Command> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, error: 'a command must be a JSON object with a "type"' };
  }
  const type = (input as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(COMMAND_SCHEMAS, type)) {
    const shown = typeof type === 'string' ? `"${type.slice(0, 40)}"` : String(type);
    return { ok: false, error: `unknown command type ${shown}; expected one of ${COMMAND_TYPES.join(', ')}` };
  }
  const result = COMMAND_SCHEMAS[type as CommandType].safeParse(input);
  if (!result.success) return { ok: false, error: `${type}: ${describeIssues(result.error)}` };
  return { ok: true, value: result.data as Command };
}

/** The longest client-generated command id (a UUID is 36 characters). */
export const MAX_COMMAND_ID_LENGTH = 64;
/** The characters a command id may use: enough for a UUID or a ULID, nothing that prints, separates or hides. */
const COMMAND_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;

/**
 * A command's client-generated id: the same id sent again (a retry after a lost answer) is
 * answered as the first time and never applied twice. Refused, with a sentence, unless it is a
 * string of 1 to 64 letters, digits, `_`, `.`, `:` or `-`.
 */
export function parseCommandId(input: unknown): Parsed<string> {
  const rule = `1 to ${MAX_COMMAND_ID_LENGTH} letters, digits, "_", ".", ":" or "-" (a UUID fits)`;
  if (typeof input !== 'string') return { ok: false, error: `commandId must be a string of ${rule}` };
  if (input.length === 0 || input.length > MAX_COMMAND_ID_LENGTH) return { ok: false, error: `commandId must be ${rule}; got ${input.length} characters` };
  if (!COMMAND_ID_PATTERN.test(input)) return { ok: false, error: `commandId must be ${rule}; it has another character` };
  return { ok: true, value: input };
}

/** A command with the id its sender gave it (none: it is applied each time it is sent). */
export interface IdentifiedCommand {
  readonly command: Command;
  readonly commandId: string | undefined;
}

/**
 * A command as a socket's `command` event or an HTTP body carries it: the command's own fields
 * and, beside `type`, an optional `commandId` (parseCommandId), which is not part of the command
 * (it is stored beside its event, never in it).
 */
export function parseIdentifiedCommand(input: unknown): Parsed<IdentifiedCommand> {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || !Object.hasOwn(input, 'commandId')) {
    const command = parseCommand(input);
    return command.ok ? { ok: true, value: { command: command.value, commandId: undefined } } : command;
  }
  // Own properties only are copied (an own "__proto__" key stays a key, and is refused as unknown).
  const { commandId: rawId, ...rest } = input as { commandId: unknown };
  const commandId = parseCommandId(rawId);
  if (!commandId.ok) return commandId;
  const command = parseCommand(rest);
  return command.ok ? { ok: true, value: { command: command.value, commandId: commandId.value } } : command;
}
