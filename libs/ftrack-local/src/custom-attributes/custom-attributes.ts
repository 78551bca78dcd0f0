// Custom attribute values as the server returns them: one row per configuration
// that applies to the entity, with the stored value, else (hierarchical) the
// nearest ancestor's, else the configuration's default. Values are stored once,
// as CustomAttributeValue rows; the per-entity value schemas are views on them.
import type { EntityRepo, Row } from '../store/entity-repo.js';
import type { SchemaView } from '../store/schema-view.js';
import { toWireDatetime } from '../store/datetime.js';
import { entityScope, type EntityScope } from './entity-scope.js';
import { HIERARCHICAL_ENTITY_TYPES, STORED_VALUE_TYPE, valueTypeFor } from './value-types.js';

export interface ValueRef {
  type: string;
  row: Row;
}

export class CustomAttributes {
  constructor(
    private readonly view: SchemaView,
    private readonly repo: EntityRepo,
  ) {}

  configurations(): Row[] {
    return this.repo.rows('CustomAttributeConfiguration');
  }

  /** Configurations that apply to an entity (the rule the Python client also uses). */
  applicable(scope: EntityScope): Row[] {
    return this.configurations()
      .filter((c) => {
        const project = c['project_id'] ?? null;
        if (project !== null && project !== scope.projectId) return false;
        if (c['entity_type'] === scope.entityType && (c['object_type_id'] ?? null) === scope.objectTypeId) return true;
        return c['is_hierarchical'] === true && HIERARCHICAL_ENTITY_TYPES.has(scope.entityType);
      })
      .sort((a, b) => Number(a['sort'] ?? 0) - Number(b['sort'] ?? 0) || String(a['key']).localeCompare(String(b['key'])));
  }

  scope(type: string, row: Row): EntityScope | undefined {
    return entityScope(this.view, this.repo, type, row);
  }

  /** The entity's `custom_attributes` collection. */
  valuesFor(type: string, row: Row): ValueRef[] {
    const valueType = valueTypeFor(this.view, type);
    const scope = this.scope(type, row);
    if (valueType === undefined || scope === undefined) return [];
    const stored = this.storedFor(scope.chain);
    const entityId = String(row['id']);
    return this.applicable(scope).map((config) => {
      const configId = String(config['id']);
      const ids = config['is_hierarchical'] === true ? scope.chain : [entityId];
      const found = ids.map((id) => stored.get(`${configId}|${id}`)).find((r) => r !== undefined);
      const value = found ? found['value'] : config['default'];
      return {
        type: valueType,
        row: {
          configuration_id: configId,
          entity_id: entityId,
          key: config['key'],
          value: this.wireValue(config, value),
          project_id: scope.projectId,
        },
      };
    });
  }

  /** Stored values of one value schema (for queries `from ContextCustomAttributeValue`). */
  storedRows(valueType: string): Row[] {
    const configs = new Map(this.configurations().map((c) => [String(c['id']), c]));
    const out: Row[] = [];
    const stored = this.repo.rows(STORED_VALUE_TYPE);
    // Owner types in one indexed pass (not one lookup per value).
    const ownerTypes = new Map(
      this.repo.refsBy(this.ownerTypes(), 'id', [...new Set(stored.map((r) => String(r['entity_id'])))]).map((ref) => [ref.key, ref.type]),
    );
    for (const value of stored) {
      const config = configs.get(String(value['configuration_id']));
      if (valueType !== STORED_VALUE_TYPE) {
        const ownerType = ownerTypes.get(String(value['entity_id']));
        if (ownerType === undefined || valueTypeFor(this.view, ownerType) !== valueType) continue;
      }
      out.push({ ...value, key: config?.['key'] ?? null, value: config ? this.wireValue(config, value['value']) : value['value'] });
    }
    return out;
  }

  /** The entity a value belongs to, among the types that have custom attributes. */
  owner(entityId: string): { type: string; row: Row } | undefined {
    return this.repo.findAmong(this.ownerTypes(), [entityId]);
  }

  private ownerTypes(): string[] {
    return [...this.view.concreteTypes('Context'), 'AssetVersion', 'Asset', 'User', ...this.view.concreteTypes('List')];
  }

  /** Stored values of the entity and its ancestors, by `configuration|entity`. */
  private storedFor(ids: readonly string[]): Map<string, Row> {
    const index = new Map<string, Row>();
    for (const id of ids) {
      for (const { row } of this.repo.findBy([STORED_VALUE_TYPE], 'entity_id', id)) {
        index.set(`${String(row['configuration_id'])}|${id}`, row);
      }
    }
    return index;
  }

  /** Date values travel as datetime objects (protocol §4.2); the rest as stored. */
  wireValue(config: Row, value: unknown): unknown {
    if (typeof value === 'string' && value !== '' && config['type_id'] === this.dateTypeId()) return toWireDatetime(value);
    return value ?? null;
  }

  private dateTypeId(): string | undefined {
    return this.repo.rows('CustomAttributeType').find((t) => t['name'] === 'date')?.['id'] as string | undefined;
  }
}
