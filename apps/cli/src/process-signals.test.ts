import { describe, expect, it } from 'vitest';
import { isEncodeError } from '@ftrack-encode/core';
import { ProcessSignals, signalExitCode } from './process-signals.js';

describe('ProcessSignals', () => {
  it('the first signal cancels with E_CANCELLED; the exit code is 128 + the signal number', () => {
    const exits: number[] = [];
    const signals = new ProcessSignals((code) => void exits.push(code));
    expect(signals.signal.aborted).toBe(false);
    signals.receive('SIGTERM');
    expect(signals.signal.aborted).toBe(true);
    expect(isEncodeError(signals.signal.reason, 'E_CANCELLED')).toBe(true);
    expect(signals.exitCodeFor(130, true)).toBe(143);
    expect(signals.exitCodeFor(0, false)).toBe(0);
    expect(exits).toEqual([]);
  });

  it('a second signal runs the forced-exit clean-ups and exits at once', () => {
    const exits: number[] = [];
    const cleaned: string[] = [];
    const signals = new ProcessSignals((code) => void exits.push(code));
    signals.onForcedExit(() => void cleaned.push('scratch'));
    const forget = signals.onForcedExit(() => void cleaned.push('forgotten'));
    forget();
    signals.onForcedExit(() => {
      throw new Error('a failing clean-up does not stop the exit');
    });
    signals.receive('SIGINT');
    signals.receive('SIGINT');
    expect(cleaned).toEqual(['scratch']);
    expect(exits).toEqual([130]);
  });

  it('maps the handled signals like a shell does', () => {
    expect([signalExitCode('SIGHUP'), signalExitCode('SIGINT'), signalExitCode('SIGTERM')]).toEqual([129, 130, 143]);
  });
});
