// query and search (protocol §3.3, §3.10).
import { validationError } from '../http/errors.js';
import type { ActionHandler } from './action.js';
import { stringField } from './action.js';

export const query: ActionHandler = {
  run(op, ctx) {
    const page = ctx.queries.run(op['expression'], ctx.strict, ctx.budget);
    return { action: 'query', data: page.data, metadata: page.metadata };
  },
};

/** A query narrowed by free-text terms (matched case-insensitively against string attributes). */
export const search: ActionHandler = {
  run(op, ctx) {
    const entityType = stringField(op, 'entity_type');
    const expression = stringField(op, 'expression') ?? (entityType ? `select id, name from ${entityType}` : undefined);
    if (!expression) throw validationError('search needs an expression or an entity_type.');
    const terms = Array.isArray(op['terms']) ? op['terms'].filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase()) : [];
    const page = ctx.queries.run(expression, ctx.strict, ctx.budget);
    const data = terms.length === 0 ? page.data : page.data.filter((entity) => matchesTerms(entity, terms));
    return { action: 'search', data, metadata: page.metadata };
  },
};

function matchesTerms(entity: unknown, terms: readonly string[]): boolean {
  const text = Object.values(entity as Record<string, unknown>)
    .filter((v): v is string => typeof v === 'string')
    .join(' ')
    .toLowerCase();
  return terms.every((term) => text.includes(term));
}
