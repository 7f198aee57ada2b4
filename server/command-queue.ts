/**
 * A lecture's turns: tasks run one at a time, each to its end across its awaits, in the order they
 * were queued, whatever the transport that queued them. With an asynchronous store, this, not the
 * event loop, is what keeps two commands from deciding against the same state.
 */
export class CommandQueue {
  /** Settles when the last queued task has; never rejects, so one failure does not stop the queue. */
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;

  /** Runs `task` once every task queued before it has settled; resolves or rejects as it does. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    this.queued++;
    const result = this.tail.then(task);
    this.tail = result.then(
      () => void this.queued--,
      () => void this.queued--,
    );
    return result;
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.queued;
  }
}
