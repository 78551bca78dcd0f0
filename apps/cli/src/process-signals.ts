import { EncodeError } from '@ftrack-encode/core';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type Handled = (typeof SIGNALS)[number];
const NUMBER: Record<Handled, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** The shell's convention: a process ended by signal N exits with 128 + N. */
export function signalExitCode(signal: Handled): number {
  return 128 + NUMBER[signal];
}

/**
 * The process's one cancel. The first SIGINT/SIGTERM/SIGHUP aborts the shared AbortSignal (the
 * same path as `jobs cancel`): encoders stop, partial files and scratch directories are removed,
 * locks released, and the command reports E_CANCELLED. A second signal exits at once.
 * Installed before any command runs, so no stage of a command can die by the signal itself.
 */
export class ProcessSignals {
  private readonly controller = new AbortController();
  private first: Handled | undefined;
  private readonly lastWords = new Set<() => void>();

  constructor(private readonly exitNow: (code: number) => void = (code) => process.exit(code)) {}

  install(): this {
    for (const name of SIGNALS) process.on(name, () => this.receive(name));
    return this;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The signal that cancelled this run, if any. */
  get received(): Handled | undefined {
    return this.first;
  }

  receive(name: Handled): void {
    if (this.first) {
      for (const cleanup of this.lastWords) {
        try {
          cleanup();
        } catch {
          // exiting anyway
        }
      }
      this.exitNow(signalExitCode(this.first));
      return;
    }
    this.first = name;
    this.controller.abort(new EncodeError('E_CANCELLED', `Cancelled by ${name}.`, { hint: 'Send the signal again to exit at once.' }));
  }

  /**
   * Synchronous clean-up that must happen even on the forced exit of a second signal (e.g.
   * removing a scratch directory). Returns the function that unregisters it.
   */
  onForcedExit(cleanup: () => void): () => void {
    this.lastWords.add(cleanup);
    return () => void this.lastWords.delete(cleanup);
  }

  /** Exit code for a finished command: 128 + N when a signal cancelled it. */
  exitCodeFor(code: number, cancelled: boolean): number {
    return cancelled && this.first ? signalExitCode(this.first) : code;
  }
}

/** The CLI's instance (program.ts installs it first thing). */
export const processSignals = new ProcessSignals();

/** Resolves when the process is asked to stop (servers that run until Ctrl-C). */
export function untilStopped(): Promise<void> {
  const { signal } = processSignals;
  return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
