// Query failures. The server maps them to an ftrack error object
// (`{"exception": ..., "content": error.message, "error_code": null}`).
import { EncodeError } from '@ftrack-encode/core';

export class QueryError extends EncodeError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('E_USAGE', message, { details });
    this.name = 'QueryError';
  }
}

/** The expression does not follow the grammar; `position` is a 0-based character offset. */
export class QuerySyntaxError extends QueryError {
  readonly position: number;
  readonly near: string;

  constructor(message: string, position: number, near: string) {
    super(message, { position, near });
    this.name = 'QuerySyntaxError';
    this.position = position;
    this.near = near;
  }
}

/** The expression parses but names an unknown type or attribute, or compares nonsense. */
export class QueryEvaluationError extends QueryError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, details);
    this.name = 'QueryEvaluationError';
  }
}
