import { describe, expect, it } from 'vitest';
import { pathText, type Condition, type QueryAst } from './ast.js';
import { QuerySyntaxError } from './errors.js';
import { MAX_NESTING, parseQuery } from './parser.js';

/** Compact rendering of a condition tree, to assert shapes in one line. */
function show(c: Condition | null): string {
  if (c === null) return '';
  switch (c.kind) {
    case 'and':
    case 'or':
      return `(${c.operands.map(show).join(` ${c.kind} `)})`;
    case 'not':
      return `not ${show(c.operand)}`;
    case 'compare':
      return `${pathText(c.path)} ${c.op} ${lit(c.value)}`;
    case 'in':
      return `${pathText(c.path)} ${c.negated ? 'not_in' : 'in'} [${c.values.map(lit).join(',')}]`;
    case 'in_query':
      return `${pathText(c.path)} ${c.negated ? 'not_in' : 'in'} {${c.query.from}: ${show(c.query.where)}}`;
    default:
      return `${pathText(c.path)} ${c.kind} (${show(c.condition)})`;
  }
}

function lit(l: import('./ast.js').Literal): string {
  switch (l.kind) {
    case 'null':
      return 'null';
    case 'string':
      return JSON.stringify(l.value);
    case 'number':
      return `#${l.value}`;
    case 'boolean':
      return `b:${l.value}`;
    default:
      return `~${l.value}`;
  }
}

function summary(ast: QueryAst) {
  return {
    select: ast.select?.map((p) => (p.kind === 'path' ? pathText(p.path) : `${p.fn}(${pathText(p.path)})`)) ?? null,
    from: ast.from,
    where: show(ast.where),
    orderBy: ast.orderBy.map((k) => `${pathText(k.path)} ${k.direction}`),
    offset: ast.offset,
    limit: ast.limit,
  };
}

const UUID = '3a372bde-05bc-11e4-8908-20c9d081909b';
const C = '2cd3f482-06e2-4d3e-93a5-b8a7326c2c5f';

// Every expression listed in protocol §5.1, with the shape it must parse to.
const CLIENT_QUERIES: [string, ReturnType<typeof summary>][] = [
  [
    'select id from AssetVersion where (id is "aaaaaaaa-0000-0000-0000-000000000001") offset 0 limit 500',
    { select: ['id'], from: 'AssetVersion', where: 'id eq "aaaaaaaa-0000-0000-0000-000000000001"', orderBy: [], offset: 0, limit: 500 },
  ],
  [
    'select context_type, id, name from Task where (id is "t1") offset 0 limit 500',
    { select: ['context_type', 'id', 'name'], from: 'Task', where: 'id eq "t1"', orderBy: [], offset: 0, limit: 500 },
  ],
  [
    `select component_id, resource_identifier from ComponentLocation where location_id is ${UUID} and component_id in (${C}) offset 0 limit 500`,
    {
      select: ['component_id', 'resource_identifier'],
      from: 'ComponentLocation',
      where: `(location_id eq ~${UUID} and component_id in [~${C}])`,
      orderBy: [],
      offset: 0,
      limit: 500,
    },
  ],
  [
    `select metadata from FileComponent where id is ${C} offset 0 limit 500`,
    { select: ['metadata'], from: 'FileComponent', where: `id eq ~${C}`, orderBy: [], offset: 0, limit: 500 },
  ],
  [
    'select value from Metadata where (parent_id is "x"and key is "k") offset 0 limit 500',
    { select: ['value'], from: 'Metadata', where: '(parent_id eq "x" and key eq "k")', orderBy: [], offset: 0, limit: 500 },
  ],
  [
    'select name, created_at from Task where project_id is 123 order by name descending offset 2 limit 500',
    { select: ['name', 'created_at'], from: 'Task', where: 'project_id eq #123', orderBy: ['name descending'], offset: 2, limit: 500 },
  ],
  [
    `select id from ComponentLocation where component_id is c-1 and location_id is ${UUID} offset 0 limit 500`,
    { select: ['id'], from: 'ComponentLocation', where: `(component_id eq ~c-1 and location_id eq ~${UUID})`, orderBy: [], offset: 0, limit: 500 },
  ],
  [
    'select parent_id, key from Metadata where key is "ftr_meta" and parent_id is "c-1" and parent_type is "FileComponent"',
    {
      select: ['parent_id', 'key'],
      from: 'Metadata',
      where: '(key eq "ftr_meta" and parent_id eq "c-1" and parent_type eq "FileComponent")',
      orderBy: [],
      offset: null,
      limit: null,
    },
  ],
  [
    'select status.state.short from Task where status.state.short is NOT_STARTED limit 2',
    { select: ['status.state.short'], from: 'Task', where: 'status.state.short eq ~NOT_STARTED', orderBy: [], offset: null, limit: 2 },
  ],
  [
    'select version, asset.versions.version from AssetVersion where asset_id is_not None limit 1',
    { select: ['version', 'asset.versions.version'], from: 'AssetVersion', where: 'asset_id ne null', orderBy: [], offset: null, limit: 1 },
  ],
  [
    'select _task_workflow.statuses.name, _task_workflow.statuses.color, _task_workflow.statuses.sort from ProjectSchema where id is ps-1',
    {
      select: ['_task_workflow.statuses.name', '_task_workflow.statuses.color', '_task_workflow.statuses.sort'],
      from: 'ProjectSchema',
      where: 'id eq ~ps-1',
      orderBy: [],
      offset: null,
      limit: null,
    },
  ],
  ['Project', { select: null, from: 'Project', where: '', orderBy: [], offset: null, limit: null }],
  ['Task where name is "comp"', { select: null, from: 'Task', where: 'name eq "comp"', orderBy: [], offset: null, limit: null }],
  [
    'select project, priority, link, status.name from Task where assignments any (resource.username = "jane") and status.name not_in ("Omitted", "On Hold") and project.status is "active" order by priority.sort limit 20',
    {
      select: ['project', 'priority', 'link', 'status.name'],
      from: 'Task',
      where: '(assignments any (resource.username eq "jane") and status.name not_in ["Omitted","On Hold"] and project.status eq "active")',
      orderBy: ['priority.sort ascending'],
      offset: null,
      limit: 20,
    },
  ],
  [
    'select status_id, version, task_id from AssetVersion where task_id in ("t-1","t-2") order by version descending',
    {
      select: ['status_id', 'version', 'task_id'],
      from: 'AssetVersion',
      where: 'task_id in ["t-1","t-2"]',
      orderBy: ['version descending'],
      offset: null,
      limit: null,
    },
  ],
  [
    'Note where author has (first_name is "Jane" and last_name is "Doe")',
    { select: null, from: 'Note', where: 'author has ((first_name eq "Jane" and last_name eq "Doe"))', orderBy: [], offset: null, limit: null },
  ],
  [
    'Project where metadata any (key=some_key and value=some_value)',
    { select: null, from: 'Project', where: 'metadata any ((key eq ~some_key and value eq ~some_value))', orderBy: [], offset: null, limit: null },
  ],
  ['User where not timelogs any ()', { select: null, from: 'User', where: 'not timelogs any ()', orderBy: [], offset: null, limit: null }],
  [
    'TypedContext where name is sh010 and parent[TypedContext] has (name is sq010 and project.name is demo)',
    {
      select: null,
      from: 'TypedContext',
      where: '(name eq ~sh010 and parent[TypedContext] has ((name eq ~sq010 and project.name eq ~demo)))',
      orderBy: [],
      offset: null,
      limit: null,
    },
  ],
  [
    'Task where timelogs.start >= "2015-06-01T00:00:00"',
    { select: null, from: 'Task', where: 'timelogs.start gte "2015-06-01T00:00:00"', orderBy: [], offset: null, limit: null },
  ],
  ["List where system_type is 'assetversion'", { select: null, from: 'List', where: 'system_type eq "assetversion"', orderBy: [], offset: null, limit: null }],
  [
    'Project where project_schema in (select id from ProjectSchema where name is "VFX")',
    { select: null, from: 'Project', where: 'project_schema in {ProjectSchema: name eq "VFX"}', orderBy: [], offset: null, limit: null },
  ],
  ['User where username is jenkins limit 0', { select: null, from: 'User', where: 'username eq ~jenkins', orderBy: [], offset: null, limit: 0 }],
];

describe('parseQuery: every client expression of protocol §5.1', () => {
  it.each(CLIENT_QUERIES)('%s', (expression, expected) => {
    expect(summary(parseQuery(expression))).toEqual(expected);
  });
});

describe('parseQuery: lexical quirks', () => {
  const where = (expression: string) => show(parseQuery(expression).where);

  it('keywords and none/null/true/false are case-insensitive', () => {
    expect(where('Task WHERE name IS None AND x Is_Not NULL or y = TRUE')).toBe('((name eq null and x ne null) or y eq b:true)');
    expect(summary(parseQuery('SELECT name FROM Task ORDER BY name DESCENDING LIMIT 3 OFFSET 1'))).toMatchObject({
      orderBy: ['name descending'],
      limit: 3,
      offset: 1,
    });
  });

  it('accepts quoted None as a string, and bare numbers as numbers keeping their text', () => {
    expect(where('Task where name is "None"')).toBe('name eq "None"');
    const ast = parseQuery('Task where sort > -1.5');
    expect(ast.where).toMatchObject({ kind: 'compare', op: 'gt', value: { kind: 'number', value: -1.5, text: '-1.5' } });
  });

  it('reads escapes in single and double quotes, keeping the raw text for like', () => {
    const ast = parseQuery(String.raw`Task where name like "a\"b\%c" or name is 'it\'s'`);
    expect(show(ast.where)).toBe(`(name like "a\\"b%c" or name eq "it's")`);
    expect(ast.where).toMatchObject({ operands: [{ value: { raw: String.raw`a\"b\%c` } }, {}] });
  });

  it('needs no spaces around operators, commas, parentheses or after quotes', () => {
    expect(where('Task where(name="a")and(sort>=2)')).toBe('(name eq "a" and sort gte #2)');
    expect(where('Task where id in (a,b ,c)')).toBe('id in [~a,~b,~c]');
    expect(where('Task where id not_in()')).toBe('id not_in []');
    expect(where("Task where name is 'x'or name is 'y'")).toBe('(name eq "x" or name eq "y")');
  });

  it('reads every comparison operator', () => {
    const ops = ['is', 'is_not', '=', '!=', '>', '>=', '<', '<=', 'after', 'before', 'greater_than', 'less_than', 'like', 'not_like'];
    const canon = ['eq', 'ne', 'eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'gt', 'lt', 'gt', 'lt', 'like', 'not_like'];
    ops.forEach((op, i) => expect(where(`Task where name ${op} x`)).toBe(`name ${canon[i]} ~x`));
  });

  it('binds and tighter than or, not tighter than and; parentheses override', () => {
    expect(where('Task where a is 1 or b is 2 and c is 3')).toBe('(a eq #1 or (b eq #2 and c eq #3))');
    expect(where('Task where not a is 1 and b is 2')).toBe('(not a eq #1 and b eq #2)');
    expect(where('Task where (a is 1 or b is 2) and c is 3')).toBe('((a eq #1 or b eq #2) and c eq #3)');
    expect(where('Task where not not a is 1')).toBe('not not a eq #1');
  });

  it('reads bare values with dashes, dots, colons, @ and +', () => {
    expect(where('User where username is jane.doe+ci@example.com')).toBe('username eq ~jane.doe+ci@example.com');
    expect(where('Task where created_at after 2024-01-02T03:04:05')).toBe('created_at gt ~2024-01-02T03:04:05');
  });

  it('parses casts in projections and conditions', () => {
    const ast = parseQuery('select parent[Project].name, children[Shot].status.name from Context');
    expect(ast.select).toEqual([
      { kind: 'path', path: { steps: [{ name: 'parent', cast: 'Project' }, { name: 'name' }], position: 7 } },
      { kind: 'path', path: { steps: [{ name: 'children', cast: 'Shot' }, { name: 'status' }, { name: 'name' }], position: 29 } },
    ]);
  });

  it('parses group by and aggregate projections (not evaluated)', () => {
    const ast = parseQuery('select count(id), status_id from Task group by status_id limit 5');
    expect(ast.select?.[0]).toMatchObject({ kind: 'aggregate', fn: 'count', path: { steps: [{ name: 'id' }] } });
    expect(ast.groupBy.map(pathText)).toEqual(['status_id']);
    expect(ast.limit).toBe(5);
  });

  it('parses nested sub-queries and has/any inside them', () => {
    const ast = parseQuery('AssetVersion where asset_id in (select id from Asset where parent_id in (select id from Shot where status has (name is x)))');
    expect(show(ast.where)).toBe('asset_id in {Asset: parent_id in {Shot: status has (name eq ~x)}}');
  });
});

describe('parseQuery: errors name the position', () => {
  const cases: [string, string][] = [
    ['select name where name is x', 'Expected "from" at position 12 near "where"'],
    ['select name from', 'Expected an entity type name at position 16 near end of expression'],
    ['select from Task', 'Expected "from" at position 12 near "Task"'],
    ['Task where', 'Expected an attribute name at position 10 near end of expression'],
    ['Task where name', 'Expected an operator (is, is_not, =, !=, >, <, like, in, has, any, ...) at position 15 near end of expression'],
    ['Task where name frobs x', 'Expected an operator (is, is_not, =, !=, >, <, like, in, has, any, ...) at position 16 near "frobs"'],
    ['Task where name is', 'Expected a value at position 18 near end of expression'],
    ['Task where name is )', 'Expected a value at position 19 near ")"'],
    ['Task where (name is x', 'Expected ")" at position 21 near end of expression'],
    ['Task where id in (a b)', 'Expected ")" at position 20 near "b"'],
    ['Task where name is x y', 'Expected "and", "or", "order by", "offset", "limit", "group by" or end of expression at position 21 near "y"'],
    ['Task limit ten', 'Expected a number after "limit" at position 11 near "ten"'],
    ['Task order name', 'Expected "by" at position 11 near "name"'],
    ['Task where parent[) has ()', 'Expected an entity type name at position 18 near ")"'],
    ['Task where parent[Shot has ()', 'Expected "]" at position 23 near "has"'],
    ['Task where name is "open', 'Unterminated string starting at position 19 near "open'],
    ['Task where name is x # y', 'Unexpected character "#" at position 21'],
    ['Task where status has (name is x', 'Expected ")" at position 32 near end of expression'],
  ];
  it.each(cases)('%s', (expression, message) => {
    let error: unknown;
    try {
      parseQuery(expression);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QuerySyntaxError);
    expect((error as QuerySyntaxError).message).toBe(message);
    expect((error as QuerySyntaxError).position).toBe(Number(/position (\d+)/.exec(message)![1]));
    expect((error as QuerySyntaxError).code).toBe('E_USAGE');
  });
});

describe('parseQuery: nesting limit', () => {
  it('rejects deep parentheses and not chains with a syntax error instead of overflowing the stack', () => {
    const deep = `Task where ${'('.repeat(10_000)}name is x${')'.repeat(10_000)}`;
    expect(() => parseQuery(deep)).toThrow(QuerySyntaxError);
    expect(() => parseQuery(deep)).toThrow(/nested too deeply/);
    expect(() => parseQuery(`Task where ${'not '.repeat(100_000)}name is x`)).toThrow(/nested too deeply/);
    expect(() => parseQuery(`Task where ${'parent has ('.repeat(100)}name is x${')'.repeat(100)}`)).toThrow(/nested too deeply/);
  });

  it('accepts nesting up to the limit', () => {
    const ok = `Task where ${'('.repeat(MAX_NESTING)}name is x${')'.repeat(MAX_NESTING)}`;
    expect(parseQuery(ok).where).toMatchObject({ kind: 'compare' });
  });
});
