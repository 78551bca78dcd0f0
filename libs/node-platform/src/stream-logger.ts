import { redactSecrets, redactValue, type Logger } from '@ftrack-encode/core';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Kept names for callers of this lib: the one implementation lives in core. */
export const redact = redactValue;
export const redactText = (text: string): string => redactSecrets(text);

/** Line logger for CLIs and daemons: JSON lines (for log shippers) or plain text, always to stderr. */
export class StreamLogger implements Logger {
  constructor(private readonly options: { level?: Level; json?: boolean; write?: (line: string) => void; bindings?: Record<string, unknown> } = {}) {}

  child(bindings: Record<string, unknown>): StreamLogger {
    return new StreamLogger({ ...this.options, bindings: { ...this.options.bindings, ...bindings } });
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.log('error', message, fields);
  }

  private log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
    if (ORDER[level] < ORDER[this.options.level ?? 'info']) return;
    const write = this.options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
    const all = redact({ ...this.options.bindings, ...fields }) as Record<string, unknown>;
    if (this.options.json) {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg: redactText(message), ...all }));
    } else {
      const extra = Object.keys(all).length > 0 ? ` ${JSON.stringify(all)}` : '';
      write(`${level}: ${redactText(message)}${extra}`);
    }
  }
}
