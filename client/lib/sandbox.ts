/**
 * A student's sandbox: the live lecture forked at one moment into the same decider, running in
 * this browser. Commands are decided and applied here; nothing is emitted or fetched.
 */
import { parameterCount } from '../../shared/engine/mlp/config.js';
import type { LectureState } from '../../shared/lecture/decider.js';
import { forkLecture } from '../../shared/lecture/fork.js';
import { toSnapshot } from '../../shared/lecture/views.js';
import { parseCommand, type Command } from '../../shared/protocol/commands.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import { applyCommand } from '../../shared/lecture/apply.js';

/** What a student may do in the sandbox: the network's own commands, not the class's (ask, pacing…). */
export const SANDBOX_COMMANDS: ReadonlySet<Command['type']> = new Set(['step', 'back', 'forward', 'backward', 'update', 'selectSample', 'setLearningRate', 'setWeight', 'train']);
/** Training runs synchronously here, so it is kept short enough not to freeze a phone. */
export const SANDBOX_MAX_EPOCHS = 2000;
/**
 * The same bound for bigger networks and datasets: epochs × rows × parameters, about the
 * multiply-adds of a training run (half a second or so on a laptop). The notebook's 2000 epochs
 * are 256,000 of them; 2000 epochs of a 2-8-8-1 network on 100 points, 19 million.
 */
export const SANDBOX_MAX_WORK = 4e7;

/** The most epochs the sandbox trains at once for this network on its rows. */
export function sandboxEpochLimit(state: LectureState): number {
  const perEpoch = state.network.data.count * parameterCount(state.network.config);
  return Math.max(1, Math.min(SANDBOX_MAX_EPOCHS, Math.floor(SANDBOX_MAX_WORK / perEpoch)));
}

export class Sandbox {
  private state: LectureState;
  private cached: Snapshot;
  /** The seq of the live lecture it was forked from. */
  readonly forkedAt: number;

  constructor(live: Snapshot) {
    this.state = forkLecture(live);
    this.cached = toSnapshot(this.state);
    this.forkedAt = live.seq;
  }

  get snapshot(): Snapshot {
    return this.cached;
  }

  /** How many commands the student ran here. */
  get moves(): number {
    return this.state.seq - this.forkedAt;
  }

  /** Runs a command locally; returns why it does not apply, or null. */
  run(command: Command): string | null {
    if (!SANDBOX_COMMANDS.has(command.type)) return `${command.type} is not available in the sandbox`;
    const parsed = parseCommand(command);
    if (!parsed.ok) return parsed.error;
    const limit = sandboxEpochLimit(this.state);
    if (parsed.value.type === 'train' && parsed.value.epochs > limit) {
      return `the sandbox trains at most ${limit} epochs of this network at a time (it runs in your browser)`;
    }
    // The server's rule, run here; a sandbox has no class, so its reveals carry no answers.
    const applied = applyCommand(this.state, parsed.value, { now: Date.now(), newSeed: () => crypto.getRandomValues(new Uint32Array(1))[0] });
    if (!applied.ok) return applied.error;
    this.state = applied.next;
    this.cached = toSnapshot(applied.next);
    return null;
  }
}
