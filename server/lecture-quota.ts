/**
 * What one lecture may consume, so that one anonymous creator cannot exhaust the server: how many
 * events it records, how many bytes its recording takes, how many epochs it trains an hour and how
 * many tables it uploads an hour. Everything is counted from the lecture's own event log (folded
 * at load, then each commit), so the counts survive a restart without being stored separately
 * (a keyframe keeps the counts up to its event, so that a load from it needs none of the log before).
 */
import { z } from 'zod';
import type { Command, RecordedCommand } from '../shared/protocol/commands.js';

export interface LectureLimits {
  /** Events one lecture records (its recording stays; a new lecture starts afresh). */
  readonly maxEvents: number;
  /** Bytes of one lecture's stored events (commands, frames, training results). */
  readonly maxStoredBytes: number;
  /** Epochs one lecture trains in any hour. */
  readonly epochsPerHour: number;
  /** Tables (CSV) one lecture uploads in any hour. */
  readonly uploadsPerHour: number;
}

export const DEFAULT_LECTURE_LIMITS: LectureLimits = {
  maxEvents: 100_000,
  maxStoredBytes: 256 * 1024 * 1024,
  epochsPerHour: 1_000_000,
  uploadsPerHour: 30,
};

const HOUR_MS = 3_600_000;

export type QuotaRefusal = { readonly ok: false; readonly status: 413 | 429; readonly error: string; readonly retryAfter?: number };

/** One use counted in an hourly window: when, and how much. */
export interface WindowEntry {
  readonly at: number;
  readonly amount: number;
}

/** Amounts with the time they were used, forgotten once an hour old. */
class HourlyWindow {
  private readonly entries: WindowEntry[] = [];
  private total = 0;

  /** The entries counted now (the last hour's), for a keyframe to keep. */
  kept(now: number): WindowEntry[] {
    this.used(now);
    return [...this.entries];
  }

  add(at: number, amount: number): void {
    if (amount <= 0) return;
    this.entries.push({ at, amount });
    this.total += amount;
  }

  used(now: number): number {
    while (this.entries.length && this.entries[0].at <= now - HOUR_MS) this.total -= this.entries.shift()!.amount;
    return this.total;
  }

  /** Seconds until `amount` more fits under `limit`, for an amount that does not fit now: when enough old entries have expired. */
  secondsUntilFits(now: number, amount: number, limit: number): number {
    let total = this.used(now);
    for (const e of this.entries) {
      total -= e.amount;
      if (total + amount <= limit) return Math.max(1, Math.ceil((e.at + HOUR_MS - now) / 1000));
    }
    return Math.ceil(HOUR_MS / 1000);
  }
}

const isUpload = (c: RecordedCommand | Command) => c.type === 'setDataset' && c.dataset.kind === 'csv';

/**
 * What a lecture has used of its limits up to one event, kept with a keyframe (as JSON text): a
 * lecture loaded from the keyframe counts on from there without reading the events before it.
 */
export interface QuotaUsage {
  readonly events: number;
  readonly bytes: number;
  readonly epochs: readonly WindowEntry[];
  readonly uploads: readonly WindowEntry[];
}

const entries = z.array(z.strictObject({ at: z.number().int(), amount: z.number().nonnegative() }));
const QuotaUsageSchema = z.strictObject({ events: z.number().int().nonnegative(), bytes: z.number().int().nonnegative(), epochs: entries, uploads: entries });

/** A usage read back from its JSON text, or undefined when the text is not one. */
export function parseQuotaUsage(text: string): QuotaUsage | undefined {
  try {
    const parsed = QuotaUsageSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export class LectureQuota {
  private events = 0;
  private bytes = 0;
  private readonly epochs = new HourlyWindow();
  private readonly uploads = new HourlyWindow();

  /** `from`: the usage a keyframe kept, to count on from (else nothing is used yet). */
  constructor(readonly limits: LectureLimits, from?: QuotaUsage) {
    if (!from) return;
    this.events = from.events;
    this.bytes = from.bytes;
    for (const e of from.epochs) this.epochs.add(e.at, e.amount);
    for (const e of from.uploads) this.uploads.add(e.at, e.amount);
  }

  /** What has been used so far (the hourly windows as of `now`): a quota made `from` it counts on from here. */
  usage(now: number): QuotaUsage {
    return { events: this.events, bytes: this.bytes, epochs: this.epochs.kept(now), uploads: this.uploads.kept(now) };
  }

  /** Counts a recorded event (at load, and after each commit) and the bytes it was stored in. */
  record(at: number, command: RecordedCommand, bytes: number): void {
    this.events++;
    this.bytes += bytes;
    if (command.type === 'train') this.epochs.add(at, command.epochsRun);
    if (isUpload(command)) this.uploads.add(at, 1);
  }

  /** Why this command would take the lecture past one of its limits now, or null. */
  refusal(command: Command, now: number): QuotaRefusal | null {
    const L = this.limits;
    if (this.events >= L.maxEvents) {
      return { ok: false, status: 413, error: `this lecture has recorded ${L.maxEvents.toLocaleString('en')} commands, the most one lecture keeps; start a new lecture (this one's recording stays)` };
    }
    if (this.bytes >= L.maxStoredBytes) {
      return { ok: false, status: 413, error: `this lecture's recording has reached ${Math.round(L.maxStoredBytes / 1048576)} MiB, the most one lecture keeps; start a new lecture (this one's recording stays)` };
    }
    if (command.type === 'train') {
      const used = this.epochs.used(now);
      if (used + command.epochs > L.epochsPerHour) {
        const retryAfter = this.epochs.secondsUntilFits(now, command.epochs, L.epochsPerHour);
        const left = Math.max(0, L.epochsPerHour - used);
        return {
          ok: false,
          status: 429,
          retryAfter,
          error: `this lecture may train ${L.epochsPerHour.toLocaleString('en')} epochs an hour and has ${left.toLocaleString('en')} left; train fewer or try again in ${Math.ceil(retryAfter / 60)} min`,
        };
      }
    }
    if (isUpload(command) && this.uploads.used(now) >= L.uploadsPerHour) {
      const retryAfter = this.uploads.secondsUntilFits(now, 1, L.uploadsPerHour);
      return { ok: false, status: 429, retryAfter, error: `this lecture may upload ${L.uploadsPerHour} tables an hour; try again in ${Math.ceil(retryAfter / 60)} min` };
    }
    return null;
  }
}
