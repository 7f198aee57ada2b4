/**
 * Applying a command: decide → reveal → evolve → finite check, the one way a new command
 * changes a lecture, on the server (LectureRoom) and in a student's sandbox alike. What comes
 * from outside the lecture's state (the time, a fresh seed, the class's answers) comes in through
 * the context, so the rule itself stays pure.
 */
import type { MlpState } from '../engine/mlp/network.js';
import type { PredictionStats } from '../protocol/collab.js';
import type { Command } from '../protocol/commands.js';
import { decide, evolveRevealing, type DecideContext, type LectureEvent, type LectureState, type Refusal } from './decider.js';
import { withTrainingResult } from './trainer.js';

/** What applying needs from outside the lecture, beyond what deciding needs. */
export interface RevealContext {
  /**
   * The class's answers to the open prediction, asked for only when the event reveals it; the
   * event then carries them, so the recording replays the reveal without the answers. None in
   * a sandbox (its reveals have no answers).
   */
  readonly answers?: () => PredictionStats;
}

export interface ApplyContext extends DecideContext, RevealContext {}

/** An applied command: the event to record (as applied) and the state after it. */
export type Applied = { readonly ok: true; readonly event: LectureEvent; readonly next: LectureState };

/** The refusal of an event whose numbers are no longer finite: the state it would lead to is not kept. */
export const OVERFLOW_REFUSAL: Refusal = {
  ok: false,
  status: 409,
  error: 'the numbers overflowed (a weight or value became infinite); lower the learning rate or the weights',
};

/** Decides a command and applies its event, or says why it does not apply (and nothing changes). */
export function applyCommand(state: LectureState, command: Command, ctx: ApplyContext): Applied | Refusal {
  const decision = decide(state, command, ctx);
  return decision.ok ? applyEvent(state, decision.event, ctx) : decision;
}

/**
 * Applies a decided event: its training's result and the class's answers are filled in (a
 * `train` without a result is trained here; a reveal asks `ctx.answers`), then it is evolved
 * once and refused if any number became infinite. The server's sliced training ends here too,
 * with the result it computed in slices, so both paths compute the next state the same way.
 */
export function applyEvent(state: LectureState, decided: LectureEvent, ctx: RevealContext): Applied | Refusal {
  const event = withTrainingResult(state, decided);
  let reveal: PredictionStats | undefined;
  const next = evolveRevealing(state, event, () => (reveal = ctx.answers?.()));
  if (!isFiniteNetwork(next.network)) return OVERFLOW_REFUSAL;
  return { ok: true, event: reveal ? { ...event, reveal } : event, next };
}

/** Whether every number of every tensor is finite. */
export function isFiniteNetwork(network: MlpState): boolean {
  for (const name in network.tensors) {
    if (!Object.hasOwn(network.tensors, name)) continue;
    for (const x of network.tensors[name].data) if (!Number.isFinite(x)) return false;
  }
  return true;
}
