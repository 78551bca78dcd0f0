// Writes custom attribute values through any of the value schemas: a create or
// an update of (configuration_id, entity_id) is an upsert of the one stored row
// (the server lists default values as rows, so clients update rows never stored),
// checked against the configuration's type and its applicability to the entity.
import { validationError } from '../http/errors.js';
import { normalizeDatetime, isWireDatetime } from '../store/datetime.js';
import type { EntityRepo, Row } from '../store/entity-repo.js';
import type { SchemaView } from '../store/schema-view.js';
import { asReference, type WireEntity } from '../store/values.js';
import { CustomAttributes } from './custom-attributes.js';
import { STORED_VALUE_TYPE } from './value-types.js';

export class CustomAttributeValueWriter {
  private readonly attributes: CustomAttributes;

  constructor(
    private readonly view: SchemaView,
    private readonly repo: EntityRepo,
  ) {
    this.attributes = new CustomAttributes(view, repo);
  }

  /** create or update: data may carry configuration/entity as ids or references. */
  upsert(type: string, keyInput: unknown, data: Record<string, unknown>): WireEntity {
    const key = Array.isArray(keyInput) ? keyInput : [];
    const configurationId = idOf(data['configuration_id'] ?? data['configuration'] ?? key[0]);
    const entityId = idOf(data['entity_id'] ?? key[1]);
    if (!configurationId || !entityId) throw validationError(`${type} needs configuration_id and entity_id.`);
    for (const name of Object.keys(data)) {
      if (!['__entity_type__', 'configuration_id', 'configuration', 'entity_id', 'value', 'key'].includes(name)) {
        throw validationError(`Attribute '${name}' does not exist on '${type}'.`);
      }
    }
    const config = this.repo.get('CustomAttributeConfiguration', [configurationId]);
    if (!config) throw validationError(`CustomAttributeConfiguration ${configurationId} does not exist.`);
    const owner = this.attributes.owner(entityId);
    if (!owner) throw validationError(`No entity with id ${entityId} has custom attributes.`);
    const scope = this.attributes.scope(owner.type, owner.row);
    if (!scope || !this.attributes.applicable(scope).some((c) => c['id'] === configurationId)) {
      throw validationError(`Custom attribute '${String(config['key'])}' does not apply to ${owner.type} ${entityId}.`);
    }
    const before = this.repo.get(STORED_VALUE_TYPE, [configurationId, entityId]);
    const value = 'value' in data ? this.checkValue(config, data['value']) : (before?.['value'] ?? config['default'] ?? null);
    const row: Row = { configuration_id: configurationId, entity_id: entityId, value };
    if (before) this.repo.replace(STORED_VALUE_TYPE, [configurationId, entityId], row, before);
    else this.repo.insert(STORED_VALUE_TYPE, [configurationId, entityId], row);
    const wire = this.attributes.wireValue(config, value);
    return { __entity_type__: type, configuration_id: configurationId, entity_id: entityId, key: config['key'], value: wire };
  }

  /** Deleting a value reverts the entity to the inherited or default value. */
  remove(keyInput: unknown): void {
    const key = Array.isArray(keyInput) ? keyInput.map(String) : [];
    const before = key.length === 2 ? this.repo.get(STORED_VALUE_TYPE, key) : undefined;
    if (before) this.repo.remove(STORED_VALUE_TYPE, key, before);
  }

  /** `{custom_attributes: {fps: 25}}` in create or update data: values by key. */
  setByKey(ownerType: string, owner: Row, entries: Record<string, unknown>): void {
    const scope = this.attributes.scope(ownerType, owner);
    const configs = scope ? this.attributes.applicable(scope) : [];
    for (const [key, value] of Object.entries(entries)) {
      const config = configs.find((c) => c['key'] === key);
      if (!config) throw validationError(`Custom attribute '${key}' does not apply to ${ownerType}.`);
      this.upsert(STORED_VALUE_TYPE, [config['id'], owner['id']], { value });
    }
  }

  /** Removes every value of a deleted entity. */
  removeFor(entityId: unknown): void {
    for (const { row } of this.repo.findBy([STORED_VALUE_TYPE], 'entity_id', entityId)) {
      this.repo.remove(STORED_VALUE_TYPE, [row['configuration_id'], row['entity_id']], row);
    }
  }

  /** A `custom_attributes` collection update names value rows; they already belong to the entity. */
  checkMembers(ownerId: unknown, items: readonly unknown[]): void {
    for (const item of items) {
      const reference = asReference(item);
      if (!reference || reference.data['entity_id'] !== ownerId) {
        throw validationError('custom_attributes lists the values of this entity only.');
      }
    }
  }

  private checkValue(config: Row, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    const typeName = this.repo.get('CustomAttributeType', [config['type_id']])?.['name'];
    // The real server's wording (ftrack-python docs): `Custom attribute value for "fstart" must be of type number. Got "test" …`
    const wrong = () =>
      validationError(
        `Custom attribute value for "${String(config['key'])}" must be of type ${String(typeName)}. Got ${JSON.stringify(value)} of type ${Array.isArray(value) ? 'list' : typeof value}.`,
      );
    switch (typeName) {
      case 'number':
        if (typeof value === 'number' && Number.isFinite(value)) return value;
        if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
        throw wrong();
      case 'boolean':
        if (typeof value !== 'boolean') throw wrong();
        return value;
      case 'date': {
        const text = isWireDatetime(value) ? value.value : typeof value === 'string' ? value : undefined;
        const normalized = text === undefined ? undefined : normalizeDatetime(text);
        if (normalized === undefined) throw wrong();
        return normalized;
      }
      case 'enumerator':
      case 'dynamic enumerator':
        if (typeof value === 'string') return [value];
        if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
        throw wrong();
      case 'expression':
        throw validationError(`Custom attribute '${String(config['key'])}' is an expression and cannot be set.`);
      default:
        // text, url: JS 1.11 turns ISO-looking strings into datetime objects.
        if (isWireDatetime(value)) return value.value;
        if (typeof value !== 'string') throw wrong();
        return value;
    }
  }
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const reference = asReference(value);
  return typeof reference?.data['id'] === 'string' ? reference.data['id'] : undefined;
}
