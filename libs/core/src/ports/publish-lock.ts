/**
 * Serialises publishes of the same source+profile to the same version, so two runs
 * started at once give one registration: the second waits, then finds the first's.
 */
export interface PublishLock {
  acquire(key: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<() => Promise<void>>;
}

/** For single-process use and unit tests. */
export class InProcessPublishLock implements PublishLock {
  private readonly tails = new Map<string, Promise<void>>();

  async acquire(key: string): Promise<() => Promise<void>> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    this.tails.set(
      key,
      previous.then(() => current),
    );
    await previous;
    return async () => {
      release();
      if (this.tails.get(key) === current) this.tails.delete(key);
    };
  }
}
