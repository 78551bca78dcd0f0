import { EncodeError, toEncodeError, type Progress } from '@ftrack-encode/core';
import { redactText } from '@ftrack-encode/node-platform';

export interface OutputMode {
  json: boolean;
  quiet: boolean;
}

/** Everything a command writes goes through here: results to stdout, progress and messages to stderr. */
export class Terminal {
  private lastLine = '';
  private lastPlainBucket = -1;
  private lastStage = '';
  readonly isTty: boolean;

  constructor(
    readonly mode: OutputMode,
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {
    this.isTty = Boolean(stderr.isTTY);
  }

  /** Human text to stdout (suppressed in --json mode). */
  print(line = ''): void {
    if (!this.mode.json) this.stdout.write(`${line}\n`);
  }

  /** Side remarks for people (stderr, suppressed by --quiet and --json). */
  note(line: string): void {
    if (!this.mode.quiet && !this.mode.json) (this.clearBar(), this.stderr.write(`${line}\n`));
  }

  /** The one machine-readable result of a --json run. */
  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** A progress bar on a TTY; plain lines every 10 % otherwise. Never in --json/--quiet. */
  progress = (p: Progress): void => {
    if (this.mode.quiet || this.mode.json) return;
    const pct = p.percent === undefined ? undefined : Math.min(100, Math.max(0, p.percent));
    const label = `${p.stage}${p.item ? ` ${p.item}` : ''}`;
    if (this.isTty) {
      const width = 30;
      const filled = pct === undefined ? 0 : Math.round((pct / 100) * width);
      const bar = pct === undefined ? '' : `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct.toFixed(1).padStart(5)}%`;
      const extra = [p.speed ? `${p.speed.toFixed(2)}x` : '', p.etaSeconds !== undefined ? `eta ${Math.ceil(p.etaSeconds)}s` : ''].filter(Boolean).join(' ');
      const line = `${label.padEnd(24)} ${bar} ${extra}`.trimEnd();
      if (line !== this.lastLine) this.stderr.write(`\r\x1b[2K${line}`);
      this.lastLine = line;
      return;
    }
    const bucket = pct === undefined ? -1 : Math.floor(pct / 10);
    if (label !== this.lastStage || bucket !== this.lastPlainBucket) {
      this.stderr.write(`${label}${pct === undefined ? '' : ` ${Math.floor(pct)}%`}\n`);
      this.lastStage = label;
      this.lastPlainBucket = bucket;
    }
  };

  clearBar(): void {
    if (this.isTty && this.lastLine) {
      this.stderr.write('\r\x1b[2K');
      this.lastLine = '';
    }
  }

  /** Report a failure: JSON error object in --json mode, else message + hint on stderr. Returns the exit code. */
  fail(error: unknown): number {
    this.clearBar();
    const failure = toEncodeError(error);
    if (this.mode.json) {
      this.json({ error: failure.toJSON() });
    } else {
      this.stderr.write(`error ${failure.code}: ${redactText(failure.message)}\n`);
      if (failure.hint) this.stderr.write(`hint: ${failure.hint}\n`);
    }
    return failure instanceof EncodeError ? failure.exitCode : 1;
  }
}
