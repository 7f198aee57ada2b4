import type { LectureState } from '../../shared/lecture/decider.js';
import type { FlagCounts, FlagTarget, PredictionUpdate } from '../../shared/protocol/collab.js';
import type { Command } from '../../shared/protocol/commands.js';
import { flagKey } from '../../shared/protocol/flag-key.js';
import type { Snapshot } from '../../shared/protocol/snapshot.js';
import type { CatchUp } from '../../shared/protocol/socket.js';
import type { CommandCheck, CommandResult, Outcome, RoomListener } from '../lecture-room.js';
import type { LiveLecture } from '../live-lecture.js';
import { lectureLog } from '../log.js';
import type { LectureRecord } from '../ports.js';
import { parseMessage, type LiveMessage } from './messages.js';
import type { LectureReplica } from './replica.js';

/** What a lecture on a cluster node needs of its node: the way to the owner, and the state folded from the store. */
export interface LectureNode {
  /** This process's id in messages (its own publications are not received twice). */
  readonly instance: string;
  command(lectureId: string, command: Command, commandId: string): Promise<CommandResult>;
  answer(lectureId: string, clientId: string, value: number, address: string, maxPerAddress: number): Promise<Outcome>;
  flag(lectureId: string, clientId: string, target: FlagTarget, on: boolean): Promise<Outcome>;
  fullState(lectureId: string): Promise<LectureState>;
  newCommandId(): string;
}

/** How long an edge waits for its replica to reach a command's seq before answering with the snapshot it has. */
const REPLICA_WAIT_MS = 2_000;

/**
 * A lecture as one node of a cluster serves it: reads (snapshot, catch-ups, aggregates) from the
 * node's replica, kept current by what the owner publishes; commands, answers and flags sent to
 * whichever node owns the lecture now (this one, or another over Redis: ClusterNode).
 */
export class ClusterLecture implements LiveLecture {
  readonly log: ReturnType<typeof lectureLog>;
  /** When someone last asked for it here (a lecture nobody uses leaves the node). */
  lastUsed = Date.now();
  /** performance.now() before which a standby does not try to take the lecture again. */
  nextTry = 0;

  constructor(
    private readonly node: LectureNode,
    readonly record: LectureRecord,
    readonly replica: LectureReplica,
  ) {
    this.log = lectureLog(record.id);
  }

  get id(): string {
    return this.record.id;
  }

  get seq(): number {
    return this.replica.seq;
  }

  touch(): void {
    this.lastUsed = Date.now();
  }

  snapshot(): Snapshot {
    return this.replica.snapshot();
  }

  fullState(): Promise<LectureState> {
    return this.node.fullState(this.id);
  }

  subscribe(listener: RoomListener): () => void {
    return this.replica.subscribe(listener);
  }

  catchUp(lastSeq: number): CatchUp | Promise<CatchUp> {
    return this.replica.catchUp(lastSeq);
  }

  upToDate(missed: CatchUp, lastSeq: number): CatchUp {
    return this.replica.upToDate(missed, lastSeq);
  }

  predictionUpdate(): PredictionUpdate | null {
    return this.replica.predictionUpdate();
  }

  flagCounts(): FlagCounts {
    return this.replica.flagCounts();
  }

  flagsOf(clientId: string): string[] {
    return this.replica.flagsOf(clientId);
  }

  /**
   * Checks the command here (an uploaded table is stored and checked on the node that received it:
   * the owner reads it from the store), then has the owner apply it, with an id so that a retry
   * after a failover applies it once. `applied` runs once this node's replica has the command's
   * frame, so what it reads (the snapshot) includes it.
   */
  async command(command: Command, check?: CommandCheck, applied?: () => void, commandId?: string): Promise<CommandResult> {
    this.touch();
    const problem = check ? await check() : null;
    if (problem) return { ok: false, status: 400, error: problem };
    const result = await this.node.command(this.id, command, commandId ?? this.node.newCommandId());
    if (result.ok && applied) {
      await this.replicaAt(result.seq);
      applied();
    }
    return result;
  }

  submitAnswer(clientId: string, value: number, address = 'unknown', maxPerAddress = Infinity): Promise<Outcome> {
    this.touch();
    return this.node.answer(this.id, clientId, value, address, maxPerAddress);
  }

  async flag(clientId: string, target: FlagTarget, on: boolean): Promise<Outcome> {
    this.touch();
    const outcome = await this.node.flag(this.id, clientId, target, on);
    if (outcome.ok) this.replica.noteFlag(clientId, flagKey(target), on);
    return outcome;
  }

  /** A message on the lecture's live channel (this process's own are skipped: its replica had them first-hand). */
  receive(text: string): void {
    // The owner hears its own publications: skipped before parsing (a frame can be megabytes), by the
    // `from` its messages carry second, right after `t`.
    if (text.slice(0, 64).includes(`"from":${JSON.stringify(this.node.instance)}`)) return;
    const message = parseMessage<LiveMessage>(text);
    if (!message || message.from === this.node.instance) return;
    this.replica.lastHeard = performance.now();
    try {
      switch (message.t) {
        case 'frame':
          return this.replica.offerFrame(message.frame);
        case 'head':
          return this.replica.head(message.seq);
        case 'progress':
          return this.replica.progress(message.progress);
        case 'update':
          return this.replica.predictionUpdated(message.update);
        case 'reveal':
          return this.replica.predictionRevealed(message.reveal);
        case 'flags':
          return this.replica.flagsChanged(message.flags);
        case 'released':
          // The owner let it go: silent from now, so a standby takes it at its next look.
          this.replica.lastHeard = -Infinity;
          return;
      }
    } catch (err) {
      this.log.error({ err, type: message.t }, 'a message from the lecture\'s owner could not be applied; the next head brings the replica level');
    }
  }

  /** Resolves once the replica has reached `seq` (or after REPLICA_WAIT_MS: the caller then reads what it has). */
  private async replicaAt(seq: number): Promise<void> {
    const until = performance.now() + REPLICA_WAIT_MS;
    while (this.replica.seq < seq && performance.now() < until) await new Promise((r) => setTimeout(r, 5));
  }
}
