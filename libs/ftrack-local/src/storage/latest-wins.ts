// One task per key at a time, the newest winning: a multi-part part sent again (a client retry
// while the first attempt is still being written) stops the older writer and waits for it, so
// two attempts never write the same bytes at once and only the last one is recorded.

/** Thrown to a task that was superseded before it could start. */
export class SupersededError extends Error {
  constructor() {
    super('Superseded by a newer request for the same part.');
    this.name = 'SupersededError';
  }
}

export class LatestWins {
  private readonly running = new Map<string, { controller: AbortController; settled: Promise<void> }>();

  /** Aborts the key's running task, waits until it has settled, then runs `task` with its own signal. */
  run<T>(key: string, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const previous = this.running.get(key);
    previous?.controller.abort();
    const controller = new AbortController();
    const result = (previous?.settled ?? Promise.resolve()).then(() => {
      if (controller.signal.aborted) throw new SupersededError();
      return task(controller.signal);
    });
    const entry = {
      controller,
      settled: result.then(
        () => undefined,
        () => undefined,
      ),
    };
    this.running.set(key, entry);
    void entry.settled.then(() => {
      if (this.running.get(key) === entry) this.running.delete(key);
    });
    return result;
  }
}
