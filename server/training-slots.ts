/**
 * A cap on trainings running at once across every lecture of this process. Each running training
 * takes turns with the event loop in slices of a few milliseconds, so every extra one delays
 * everything else (other lectures' commands, joins, HTTP); beyond the cap a training waits its
 * turn, in arrival order, and its progress says how many are ahead of it.
 */
export interface QueuedTraining {
  /** Told how many trainings are ahead whenever that changes (0: it runs now). */
  readonly onQueued: (ahead: number) => void;
  /** True once the instructor stopped it: it leaves the queue without running. */
  readonly stopped: () => boolean;
}

interface Waiter {
  readonly training: QueuedTraining;
  readonly start: (run: boolean) => void;
}

export class TrainingSlots {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('at least one training must be able to run');
  }

  /** How many trainings run now, and how many wait. */
  get load(): { readonly running: number; readonly waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /**
   * Resolves when the training may run (true; call `release` when it ends), or false when it was
   * stopped while it waited (it never ran, and holds no slot).
   */
  acquire(training: QueuedTraining): Promise<boolean> {
    if (this.running < this.max && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve(true);
    }
    return new Promise((start) => {
      this.waiting.push({ training, start });
      training.onQueued(this.waiting.length);
    });
  }

  release(): void {
    this.running--;
    this.admit();
  }

  /** Stops waiting trainings whose instructor pressed stop; call when a stop arrives. */
  dropStopped(): void {
    const before = this.waiting.length;
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      if (this.waiting[i].training.stopped()) this.waiting.splice(i, 1)[0].start(false);
    }
    if (this.waiting.length !== before) this.tellPositions();
  }

  private admit(): void {
    while (this.running < this.max && this.waiting.length > 0) {
      this.running++;
      this.waiting.shift()!.start(true);
    }
    this.tellPositions();
  }

  private tellPositions(): void {
    this.waiting.forEach((w, i) => w.training.onQueued(i + 1));
  }
}
