// The indexed query path against plain in-memory evaluation: same results for
// every kind of condition, while a narrow query reads only the rows it returns.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeQuery, parseQuery, type QueryDataSource, type QueryIndex, type SortCache } from '../query/index.js';
import { defaultSchemaModel } from '../schema/index.js';
import { indexKind } from '../store/attribute-index.js';
import { EntityRepo } from '../store/entity-repo.js';
import { EntityWriter } from '../store/entity-writer.js';
import { ensureReferenceData } from '../store/reference-data.js';
import { SchemaView } from '../store/schema-view.js';
import { openDatabase, type Db } from '../store/sqlite.js';
import { provisionUsers } from '../store/users.js';

let db: Db;
let repo: EntityRepo;
const ids: Record<string, string> = {};
let user: string;
const model = defaultSchemaModel();

beforeAll(async () => {
  db = openDatabase(await mkdtemp(join(tmpdir(), 'ftrack-local-index-')));
  repo = new EntityRepo(db);
  const view = new SchemaView(model);
  ensureReferenceData(repo);
  const [apiUser] = provisionUsers(db, repo, [{ username: 'indexer', apiKey: 'k' }]);
  user = apiUser!.id;
  const u = user;
  const writer = new EntityWriter(view, repo);
  const ref = (type: string, id: string) => ({ __entity_type__: type, id });
  repo.transaction(() => {
    const project = String(writer.create('Project', { name: 'big' }, u)['id']);
    ids['project'] = project;
    for (let q = 0; q < 3; q++) {
      const sequence = String(writer.create('Sequence', { name: `sq${q}0`, parent: ref('Project', project) }, u)['id']);
      ids[`sq${q}`] = sequence;
      for (let s = 0; s < 4; s++) {
        const shot = String(writer.create('Shot', { name: s === 0 ? `SH${q}${s}0` : `sh${q}${s}0`, parent: ref('Sequence', sequence) }, u)['id']);
        ids[`sh${q}${s}`] = shot;
        writer.create('Task', { name: s % 2 === 0 ? 'comp' : 'Comp', parent: ref('Shot', shot) }, u);
        const asset = String(writer.create('Asset', { name: `a${q}${s}`, parent: ref('Shot', shot), type_id: null }, u)['id']);
        ids[`a${q}${s}`] = asset;
        for (let v = 0; v < 20; v++) writer.create('AssetVersion', { asset: ref('Asset', asset), comment: `v${v}` }, u);
      }
    }
  });
});

afterAll(() => db.close());

function sources(): { indexed: QueryDataSource; plain: QueryDataSource; stats: { loaded: number; scans: number; sorts: number; lookups: number } } {
  const stats = { loaded: 0, scans: 0, sorts: 0, lookups: 0 };
  const rows = (type: string) => {
    stats.scans += 1;
    return repo.rows(type);
  };
  const index: QueryIndex = {
    covers: () => true,
    kind: indexKind,
    refs: (types, attribute, values) => {
      stats.lookups += 1;
      return repo.refsBy(types, attribute, values);
    },
    all: (types) => repo.allRefs(types),
    load: (refs) => {
      stats.loaded += refs.length;
      return repo.load(refs);
    },
    values: (refs, attributes) => repo.values(refs, attributes),
    allValues: (types, attributes) => {
      stats.sorts += 1;
      return repo.allValues(types, attributes);
    },
    generation: (types) => repo.generation(types),
  };
  return { indexed: { model, rows, index }, plain: { model, rows: (type) => repo.rows(type) }, stats };
}

const QUERIES = (): string[] => [
  `select id, version from AssetVersion where asset.parent.id is "${ids['sh11']}" order by version descending limit 5`,
  `select id from AssetVersion where asset.parent.id is "${ids['sh11']}" offset 3 limit 4`,
  `select id, name from Shot where name is "sh000"`,
  `select id from Task where parent.parent.id is "${ids['sq1']}" and name is "comp"`,
  `select id from AssetVersion where asset_id in ("${ids['a00']}", "${ids['a21']}") order by version, id`,
  `select id from AssetVersion where asset.parent.id is "${ids['sh00']}" or asset.parent.id is "${ids['sh23']}" order by comment descending`,
  `select id from Shot where parent.id is "${ids['sq2']}" and name like "sh2%"`,
  `select id from AssetVersion order by version descending, comment limit 7 offset 30`,
  `select name from Shot order by name`,
  `select id, name from Shot order by name descending offset 2 limit 5`,
  `select id from Task order by start_date, name descending, id`,
  `select id from Context order by name limit 9`,
  `select id from Context where parent_id is "${ids['sq0']}"`,
  `select id from AssetVersion where asset.parent[Shot].name is "sh110" limit 3`,
  `select id from AssetVersion where status.name is "not started" limit 3 offset 100`,
  `select id from Shot where id is "no-such-id"`,
  `select name from Sequence where project.id is "${ids['project']}" order by name descending`,
  `select id from TypedContext where parent.name is "sq10" and not name is "sh110"`,
  `select id from Asset where versions any (comment is "v3") and parent.parent.id is "${ids['sq0']}"`,
];

describe('indexed query path', () => {
  it('returns exactly what in-memory evaluation returns', () => {
    for (const expression of QUERIES()) {
      const ast = parseQuery(expression);
      const { indexed, plain } = sources();
      const expected = executeQuery(ast, plain);
      expect(executeQuery(ast, indexed), expression).toEqual(expected);
    }
  });

  it('reads only the rows of the page for a narrow, ordered query', () => {
    const { indexed, stats } = sources();
    const result = executeQuery(parseQuery(QUERIES()[0]!), indexed);
    expect(result.data.map((v) => v['version'])).toEqual([20, 19, 18, 17, 16]);
    expect(result.metadata.next.offset).toBe(5);
    expect(stats.scans).toBe(0);
    expect(stats.loaded).toBe(5);
  });

  it('sorts a whole type once for a paged walk, and again after a write', () => {
    const { indexed, stats } = sources();
    const sortCache: SortCache = new Map();
    const run = (expression: string) => executeQuery(parseQuery(expression), indexed, { sortCache }).data.map((v) => v['version']);
    expect(run('select version from AssetVersion order by version descending limit 2')).toEqual([20, 20]);
    expect(run('select version from AssetVersion order by version descending offset 1 limit 2')).toEqual([20, 20]);
    expect(stats.sorts).toBe(1);
    const view = new SchemaView(model);
    repo.transaction(() => new EntityWriter(view, repo).create('AssetVersion', { asset_id: ids['a00'], version: 99 }, user));
    expect(run('select version from AssetVersion order by version descending limit 2')).toEqual([99, 20]);
    expect(stats.sorts).toBe(2);
  });

  it('plans a paged walk once until the next write', () => {
    const { indexed, stats } = sources();
    const sortCache: SortCache = new Map();
    const walk = (offset: number) =>
      executeQuery(
        parseQuery(`select comment from AssetVersion where asset.parent.parent.id is "${ids['sq2']}" order by comment offset ${offset} limit 10`),
        indexed,
        { sortCache },
      );
    const first = walk(0);
    const lookups = stats.lookups;
    const second = walk(10);
    expect(stats.lookups).toBe(lookups);
    expect(first.metadata.next.offset).toBe(10);
    expect(second.data.map((v) => v['id'])).not.toEqual(first.data.map((v) => v['id']));
    const view = new SchemaView(model);
    repo.transaction(() => new EntityWriter(view, repo).create('AssetVersion', { asset_id: ids['a20'], comment: 'a first' }, user));
    expect(walk(0).data[0]!['comment']).toBe('a first');
    expect(stats.lookups).toBeGreaterThan(lookups);
  });

  it('pages through a whole type reading one page of rows at a time', () => {
    const { indexed, stats } = sources();
    const page = executeQuery(parseQuery('select id from AssetVersion offset 200 limit 20'), indexed);
    expect(page.data).toHaveLength(20);
    expect(page.metadata.next.offset).toBe(220);
    expect(stats).toMatchObject({ loaded: 20, scans: 0 });
  });
});
