// The shape of one API action handler.
import type { EntityWriter } from '../store/entity-writer.js';
import type { CallContext, Operation } from './context.js';

export interface ActionHandler {
  /** Async work before the batch transaction (e.g. assembling uploaded parts). */
  prepare?(op: Operation, ctx: CallContext, index: number): Promise<void>;
  /** Runs inside the batch transaction; must be synchronous. */
  run(op: Operation, ctx: CallContext, writer: EntityWriter, index: number): unknown;
}

export function stringField(op: Operation, name: string): string | undefined {
  const value = op[name];
  return typeof value === 'string' ? value : undefined;
}
