// Runs query expressions through the shared query engine over the entity store,
// supplying the attributes only the server can compute.
import { executeQuery, parseQuery, QuerySyntaxError, type Budget } from '../query/index.js';
import type { SchemaModel } from '../schema/index.js';
import { validationError, ApiError } from '../http/errors.js';
import type { EntityRepo, Row } from '../store/entity-repo.js';
import type { ComputedAttributes } from '../store/computed.js';
import type { CustomAttributes } from '../custom-attributes/custom-attributes.js';
import { isValueType } from '../custom-attributes/value-types.js';

export interface QueryPage {
  data: unknown[];
  metadata: { next: { offset: number | null } };
}

export class QueryService {
  constructor(
    private readonly model: SchemaModel,
    private readonly repo: EntityRepo,
    private readonly computed: ComputedAttributes,
    private readonly customAttributes: CustomAttributes,
  ) {}

  run(expression: unknown, strict: boolean, budget?: Budget): QueryPage {
    if (typeof expression !== 'string' || expression.trim() === '') throw validationError('A query expression is required.');
    let ast;
    try {
      ast = parseQuery(expression);
    } catch (error) {
      if (error instanceof QuerySyntaxError) throw new ApiError('ServerError', `Query error: ${error.message}`, 400);
      throw error;
    }
    try {
      return executeQuery(
        ast,
        {
          model: this.model,
          rows: (type: string) => (isValueType(type) ? this.customAttributes.storedRows(type) : this.repo.rows(type)),
          customAttributes: (type: string, row: Record<string, unknown>) => this.customAttributes.valuesFor(type, row),
          computed: (type: string, row: Record<string, unknown>, attribute: string) =>
            this.computed.value(type, row as Row, attribute),
        },
        { strict, ...(budget ? { budget } : {}) },
      );
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof Error) throw new ApiError('ServerError', `Query error: ${error.message}`, 400);
      throw error;
    }
  }
}
