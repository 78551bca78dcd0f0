import { describe, expect, it } from 'vitest';
import { LatestWins, SupersededError } from './latest-wins.js';

/** A task that runs until aborted or released, logging what happened to it. */
function task(log: string[], name: string, release: Promise<void>) {
  return (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      log.push(`${name} start`);
      signal.addEventListener('abort', () => {
        log.push(`${name} aborted`);
        reject(new Error(`${name} aborted`));
      });
      void release.then(() => resolve(name));
    });
}

describe('LatestWins', () => {
  it('a newer task for the same key aborts the running one and starts only after it settled', async () => {
    const writers = new LatestWins();
    const log: string[] = [];
    let releaseSecond: () => void = () => undefined;
    const first = writers.run('u/1', task(log, 'first', new Promise(() => undefined)));
    await Promise.resolve();
    const second = writers.run('u/1', task(log, 'second', new Promise((r) => (releaseSecond = r))));
    await expect(first).rejects.toThrow('first aborted');
    releaseSecond();
    await expect(second).resolves.toBe('second');
    expect(log).toEqual(['first start', 'first aborted', 'second start']);
  });

  it('a task superseded before it started never runs; other keys run side by side', async () => {
    const writers = new LatestWins();
    const log: string[] = [];
    const done = Promise.resolve();
    const a = writers.run('u/1', task(log, 'a', new Promise(() => undefined)));
    await Promise.resolve();
    const b = writers.run('u/1', task(log, 'b', done));
    const c = writers.run('u/1', task(log, 'c', done));
    const other = writers.run('u/2', task(log, 'other', done));
    await expect(a).rejects.toThrow('a aborted');
    await expect(b).rejects.toBeInstanceOf(SupersededError);
    await expect(c).resolves.toBe('c');
    await expect(other).resolves.toBe('other');
    expect(log).not.toContain('b start');
  });
});
