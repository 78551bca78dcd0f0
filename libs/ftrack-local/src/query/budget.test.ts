import { describe, expect, it } from 'vitest';
import { defaultSchemaModel } from '../schema/index.js';
import { Budget, QueryBudgetError } from './budget.js';
import { executeQuery } from './evaluate.js';
import { parseQuery } from './parser.js';
import type { QueryDataSource, Row } from './types.js';

const rows: Row[] = Array.from({ length: 20_000 }, (_, i) => ({ id: `l-${i}`, name: `location ${i}`, label: null }));
const source: QueryDataSource = { model: defaultSchemaModel(), rows: (type) => (type === 'Location' ? rows : []) };

describe('query time budget', () => {
  it('stops a query that outruns its budget with a QueryBudgetError', () => {
    const ast = parseQuery('select name from Location where name like "%9%9%" order by name descending');
    // Zero CPU milliseconds: spent within the first checks of a 20,000-row scan.
    expect(() => executeQuery(ast, source, { budget: Budget.of(0) })).toThrow(QueryBudgetError);
    expect(() => executeQuery(ast, source, { budget: Budget.of(0) })).toThrow(/stopped after 0 ms/);
  });

  it('lets the same query finish within a normal budget', () => {
    const ast = parseQuery('select name from Location where name like "location 1999%"');
    const result = executeQuery(ast, source, { budget: Budget.of(10_000) });
    expect(result.data.map((r) => r['name'])).toEqual([
      'location 1999',
      'location 19990',
      'location 19991',
      'location 19992',
      'location 19993',
      'location 19994',
      'location 19995',
      'location 19996',
      'location 19997',
      'location 19998',
      'location 19999',
    ]);
  });
});

describe('request budget over HTTP', () => {
  it('stops a write batch that outruns it: a clear error, and the batch rolled back', async () => {
    const { Session } = await import('@ftrack/api');
    const { startFtrackLocal } = await import('../index.js');
    const tight = await startFtrackLocal({ seed: 'demo', queryBudgetMs: 0 });
    const dataDir = tight.dataDir;
    try {
      const session = new Session(tight.url, tight.user, tight.apiKey, { autoConnectEventHub: false });
      await session.initializing.catch(() => undefined);
      const batch = Array.from({ length: 2000 }, (_, i) => ({
        action: 'create',
        entity_type: 'Location',
        entity_data: { __entity_type__: 'Location', name: `budget-${i}` },
      }));
      await expect(session.call(batch as never)).rejects.toThrow(/stopped after 0 ms/);
    } finally {
      await tight.close();
    }
    // The same data with a normal budget: not one of the 2,000 creates was committed.
    const normal = await startFtrackLocal({ dataDir });
    try {
      const session = new Session(normal.url, normal.user, normal.apiKey, { autoConnectEventHub: false });
      await session.initializing;
      expect((await session.query('select id from Location where name like "budget-%"')).data).toEqual([]);
      expect((await session.query('select id from Location where name is "ftrack.server"')).data).toHaveLength(1);
    } finally {
      await normal.close();
    }
  });
});
