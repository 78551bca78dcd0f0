// Walks relations over a QueryDataSource for the duration of one query: rows of a type
// family are read once, and lookups by attribute use lazily built indexes.
import type { Relation, SchemaModel } from '../schema/index.js';
import type { QueryDataSource, QueryIndex, Row } from './types.js';

/** A stored row together with its concrete entity type. */
export interface EntityRef {
  type: string;
  row: Row;
}

export type Related =
  | { kind: 'reference'; entity: EntityRef | null }
  | { kind: 'collection'; entities: EntityRef[] }
  /** Not a relation, or one the model cannot resolve. */
  | { kind: 'none' };

const MAX_DEPTH = 1000;

export class EntityGraph {
  readonly model: SchemaModel;
  readonly index: QueryIndex | undefined;
  private readonly families = new Map<string, EntityRef[]>();
  private readonly indexes = new Map<string, Map<string, EntityRef[]>>();
  private readonly lookups = new Map<string, EntityRef[]>();
  private readonly identities = new Map<string, EntityRef>();

  constructor(private readonly source: QueryDataSource) {
    this.model = source.model;
    this.index = source.index;
  }

  /** Rows of the type and all its concrete subtypes, each with its concrete type. */
  all(type: string): EntityRef[] {
    let refs = this.families.get(type);
    if (refs === undefined) {
      refs = [];
      for (const concrete of this.model.concreteTypes(type)) {
        for (const row of this.source.rows(concrete)) refs.push({ type: concrete, row });
      }
      this.families.set(type, refs);
    }
    return refs;
  }

  /** Rows of a type family whose attribute equals the value (compared as strings). */
  findBy(type: string, attribute: string, value: unknown): EntityRef[] {
    if (value === null || value === undefined) return [];
    const store = this.index;
    const types = this.model.concreteTypes(type);
    if (store && store.kind(attribute) === 'exact' && types.every((t) => store.covers(t))) return this.indexed(types, attribute, String(value));
    const key = `${type}\u0000${attribute}`;
    let index = this.indexes.get(key);
    if (index === undefined) {
      index = new Map();
      for (const ref of this.all(type)) {
        const v = ref.row[attribute];
        if (v === null || v === undefined) continue;
        const list = index.get(String(v)) ?? [];
        list.push(ref);
        index.set(String(v), list);
      }
      this.indexes.set(key, index);
    }
    return index.get(String(value)) ?? [];
  }

  /** Index lookups, read once per query (rows keep their identity across lookups). */
  private indexed(types: readonly string[], attribute: string, value: string): EntityRef[] {
    const memo = `${types.join(',')}\u0000${attribute}\u0000${value}`;
    let found = this.lookups.get(memo);
    if (found === undefined) {
      const store = this.index!;
      found = this.adopt(store.load(store.refs(types, attribute, [value]).sort((a, b) => a.order - b.order)));
      this.lookups.set(memo, found);
    }
    return found;
  }

  /** One EntityRef per stored row for the whole query, so identity-keyed caches work. */
  adopt(loaded: readonly { type: string; row: Row }[]): EntityRef[] {
    return loaded.map((entry) => {
      const pk = this.model
        .primaryKey(entry.type)
        .map((k) => String(entry.row[k]))
        .join('\u0000');
      const id = `${entry.type}\u0000${pk}`;
      let ref = this.identities.get(id);
      if (ref === undefined) {
        ref = { type: entry.type, row: entry.row };
        this.identities.set(id, ref);
      }
      return ref;
    });
  }

  /** Stored value, else the data source's computed value, else undefined. */
  value(ref: EntityRef, attribute: string): unknown {
    const stored = ref.row[attribute];
    if (stored !== undefined) return stored;
    return this.source.computed?.(ref.type, ref.row, attribute);
  }

  /** Single primary-key value (the `id` of most types); undefined for composite keys. */
  idOf(ref: EntityRef): unknown {
    const pk = this.model.primaryKey(ref.type);
    return pk.length === 1 ? ref.row[pk[0]!] : undefined;
  }

  related(ref: EntityRef, attribute: string): Related {
    const relation = this.model.attribute(ref.type, attribute) ? this.model.relation(ref.type, attribute) : undefined;
    if (relation === undefined) return { kind: 'none' };
    if (relation.kind === 'reference') return { kind: 'reference', entity: this.reference(ref, relation) };
    return { kind: 'collection', entities: this.collection(ref, relation) };
  }

  private reference(ref: EntityRef, relation: Relation): EntityRef | null {
    if (relation.derived === 'latest_version') return this.latestVersion(ref);
    if (relation.localKey === undefined) return null;
    const value = ref.row[relation.localKey];
    const remoteKey = relation.remoteKey ?? this.singleKey(relation.target);
    const found = this.findBy(relation.target, remoteKey, value)[0];
    if (found !== undefined) return found;
    // Lenient for FKs declared at a subtype but pointing at a sibling (task_id -> a Shot).
    const root = [relation.target, ...this.model.ancestors(relation.target)].pop()!;
    return root === relation.target ? null : (this.findBy(root, remoteKey, value)[0] ?? null);
  }

  private collection(ref: EntityRef, relation: Relation): EntityRef[] {
    if (relation.derived === 'ancestors') return this.ancestors(ref).filter((a) => this.model.isA(a.type, relation.target));
    if (relation.derived === 'custom_attributes') return this.source.customAttributes?.(ref.type, ref.row) ?? [];
    if (relation.derived === 'descendants') return this.descendants(ref).filter((d) => this.model.isA(d.type, relation.target));
    const ownerValue = relation.localKey !== undefined ? ref.row[relation.localKey] : this.idOf(ref);
    let members: EntityRef[];
    if (relation.through !== undefined) {
      const { type, ownerKey, targetKey } = relation.through;
      const targetKeyName = this.singleKey(relation.target);
      // Typed-context lists hold Shots and other typed contexts although `items` names Task.
      const family = this.model.isA(relation.target, 'TypedContext') ? 'TypedContext' : relation.target;
      members = this.findBy(type, ownerKey, ownerValue).flatMap((link) => this.findBy(family, targetKeyName, link.row[targetKey]));
    } else if (relation.remoteKey !== undefined) {
      members = this.findBy(relation.target, relation.remoteKey, ownerValue);
    } else {
      members = [];
    }
    const filter = relation.filter;
    if (filter === undefined) return members;
    return members.filter((m) => Object.entries(filter).every(([k, v]) => m.row[k] === v));
  }

  /** Typed-context ancestors, root first (walks parent_id). */
  private ancestors(ref: EntityRef): EntityRef[] {
    const chain: EntityRef[] = [];
    const seen = new Set<unknown>([this.idOf(ref)]);
    let current = this.findBy('Context', 'id', ref.row['parent_id'])[0];
    while (current !== undefined && !seen.has(this.idOf(current)) && chain.length < MAX_DEPTH) {
      chain.unshift(current);
      seen.add(this.idOf(current));
      current = this.findBy('Context', 'id', current.row['parent_id'])[0];
    }
    return chain;
  }

  private descendants(ref: EntityRef): EntityRef[] {
    const out: EntityRef[] = [];
    const seen = new Set<unknown>([this.idOf(ref)]);
    const queue = [ref];
    while (queue.length > 0 && out.length < 100_000) {
      const parent = queue.shift()!;
      for (const child of this.findBy('Context', 'parent_id', this.idOf(parent))) {
        if (seen.has(this.idOf(child))) continue;
        seen.add(this.idOf(child));
        out.push(child);
        queue.push(child);
      }
    }
    return out;
  }

  private latestVersion(asset: EntityRef): EntityRef | null {
    let best: EntityRef | null = null;
    for (const version of this.findBy('AssetVersion', 'asset_id', this.idOf(asset))) {
      const v = Number(version.row['version'] ?? 0);
      if (best === null || v > Number(best.row['version'] ?? 0)) best = version;
    }
    return best;
  }

  private singleKey(type: string): string {
    const pk = this.model.primaryKey(type);
    return pk.length === 1 ? pk[0]! : 'id';
  }
}
