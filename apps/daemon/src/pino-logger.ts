import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import type { Logger } from '@ftrack-encode/core';
import { redact, redactText } from '@ftrack-encode/node-platform';

/** Logger port on pino: one JSON object per line, secrets redacted before they reach pino. */
export class PinoLogger implements Logger {
  private readonly pino: Pino;

  constructor(options: { level?: string; bindings?: Record<string, unknown>; destination?: NodeJS.WritableStream } = {}) {
    this.pino = pino(
      { level: options.level ?? 'info', base: { service: 'ftrack-encode-daemon', pid: process.pid, ...options.bindings } },
      // stderr: stdout stays free for tools that read it.
      (options.destination ?? process.stderr) as DestinationStream,
    );
  }

  private fields(fields: Record<string, unknown> | undefined): Record<string, unknown> {
    return (fields ? redact(fields) : {}) as Record<string, unknown>;
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.pino.debug(this.fields(fields), redactText(message));
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.pino.info(this.fields(fields), redactText(message));
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.pino.warn(this.fields(fields), redactText(message));
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.pino.error(this.fields(fields), redactText(message));
  }
}
