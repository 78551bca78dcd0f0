// Runs query expressions through the shared query engine over the entity store,
// supplying the attributes only the server can compute.
import { executeQuery, parseQuery, QuerySyntaxError, type Budget, type QueryIndex, type SortCache } from '../query/index.js';
import { indexKind } from '../store/attribute-index.js';
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

  /** The store's attribute index; custom attribute value rows are computed, so not covered. */
  private readonly index: QueryIndex = {
    covers: (type) => !isValueType(type),
    kind: (attribute) => indexKind(attribute),
    refs: (types, attribute, values) => this.repo.refsBy(types, attribute, values),
    all: (types) => this.repo.allRefs(types),
    load: (refs) => this.repo.load(refs),
    values: (refs, attributes) => this.repo.values(refs, attributes),
    allValues: (types, attributes) => this.repo.allValues(types, attributes),
    generation: (types) => this.repo.generation(types),
  };

  /** Sorted whole types for paged walks, dropped when the types change. */
  private readonly sortCache: SortCache = new Map();

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
          index: this.index,
          computed: (type: string, row: Record<string, unknown>, attribute: string) => this.computed.value(type, row as Row, attribute),
        },
        { strict, sortCache: this.sortCache, ...(budget ? { budget } : {}) },
      );
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof Error) throw new ApiError('ServerError', `Query error: ${error.message}`, 400);
      throw error;
    }
  }
}
