// Create, update and delete with the server's rules: references become
// foreign keys, defaults are filled, the schema is enforced, collections are
// set by membership, deletes cascade. Runs inside the caller's transaction.
import { CustomAttributeValueWriter } from '../custom-attributes/value-writer.js';
import { isValueType } from '../custom-attributes/value-types.js';
import { ApiError, validationError } from '../http/errors.js';
import { applyDefaults } from './defaults.js';
import type { EntityRepo, Row } from './entity-repo.js';
import { removeLinksTo, setLinkedMembers } from './link-collections.js';
import { VersionNumbers } from './version-numbers.js';
import { LOCATION_IDS } from './reference-data.js';
import type { SchemaView } from './schema-view.js';
import { asReference, toStoredValue, toWireEntity, type WireEntity } from './values.js';

export interface Located {
  type: string;
  row: Row;
}

interface PendingCollection {
  attribute: string;
  items: unknown[];
  /** `{"metadata": {"key": "value"}}`: key/value form of a mapped collection. */
  entries?: Record<string, unknown>;
}

/** One running timer per user; Python's start_timer looks for "IntegrityError" to raise NotUniqueError. */
function checkOneTimer(repo: EntityRepo, row: Row): void {
  if (repo.findBy(['Timer'], 'user_id', row['user_id']).length > 0) {
    throw new ApiError('ServerError', 'IntegrityError: a timer is already running for this user.', 400);
  }
}

export class EntityWriter {
  constructor(
    private readonly view: SchemaView,
    private readonly repo: EntityRepo,
  ) {
    this.customValues = new CustomAttributeValueWriter(view, repo);
    this.versions = new VersionNumbers(repo);
  }

  private readonly customValues: CustomAttributeValueWriter;
  private readonly versions: VersionNumbers;

  /** Files (resource identifiers in ftrack.server) whose components were deleted. */
  readonly removedFiles: string[] = [];

  create(type: string, data: Record<string, unknown>, userId: string): WireEntity {
    if (isValueType(type)) return this.customValues.upsert(type, undefined, data);
    this.requireConcrete(type);
    const row: Row = {};
    const collections = this.assign(type, row, data, 'create');
    applyDefaults(this.view, this.repo, type, row, userId, this.versions);
    const key = this.keyOf(type, row);
    const existing = this.repo.get(type, key);
    if (existing) {
      // Metadata: a create for an existing (parent_id, key) is an upsert (protocol §6.3).
      if (type !== 'Metadata') throw validationError(`${type} with key ${JSON.stringify(key)} already exists.`);
      const merged = { ...existing, ...row };
      this.repo.replace(type, key, merged, existing);
      return toWireEntity(this.view, type, merged);
    }
    this.checkRequired(type, row);
    this.checkReferences(type, row, Object.keys(row));
    if (type === 'Timer') checkOneTimer(this.repo, row);
    this.repo.insert(type, key, row);
    if (type === 'AssetVersion') this.versions.saw(row['asset_id'], row['version']);
    for (const pending of collections) this.setMembers(type, row, pending);
    return toWireEntity(this.view, type, row);
  }

  update(type: string, keyInput: unknown, data: Record<string, unknown>): WireEntity {
    if (isValueType(type)) return this.customValues.upsert(type, keyInput, data);
    const found = this.locate(type, keyInput);
    const { type: concrete, row: before } = found;
    const row: Row = { ...before };
    const collections = this.assign(concrete, row, data, 'update');
    const changed = Object.keys(row).filter((k) => row[k] !== before[k]);
    this.checkRequired(concrete, row);
    this.checkReferences(concrete, row, changed);
    const key = this.keyOf(concrete, row);
    if (changed.length > 0) this.repo.replace(concrete, key, row, before);
    if (concrete === 'AssetVersion' && (changed.includes('version') || changed.includes('asset_id'))) {
      this.versions.forget(before['asset_id']);
      this.versions.forget(row['asset_id']);
    }
    for (const pending of collections) this.setMembers(concrete, row, pending);
    const result = toWireEntity(
      this.view,
      concrete,
      row,
      changed.filter((k) => this.view.property(concrete, k)),
    );
    return result;
  }

  delete(type: string, keyInput: unknown): void {
    if (isValueType(type)) return this.customValues.remove(keyInput);
    const { type: concrete, row } = this.locate(type, keyInput);
    this.deleteCascade(concrete, row);
  }

  /** Finds an entity by type (concrete or base) and key (string or array). */
  locate(type: string, keyInput: unknown): Located {
    if (!this.view.has(type)) throw validationError(`Entity type '${type}' does not exist.`);
    const key = Array.isArray(keyInput) ? keyInput : [keyInput];
    if (key.length !== this.view.primaryKey(type).length || key.some((v) => v === null || v === undefined)) {
      throw validationError(`Invalid primary key ${JSON.stringify(keyInput)} for '${type}'.`);
    }
    const found = this.repo.findAmong(this.view.concreteTypes(type), key);
    if (!found) throw validationError(`${type} with key ${JSON.stringify(key)} does not exist.`);
    return found;
  }

  private requireConcrete(type: string): void {
    if (!this.view.has(type)) throw validationError(`Entity type '${type}' does not exist.`);
    if (this.view.isAbstract(type)) throw validationError(`Cannot create an entity of abstract type '${type}'.`);
  }

  private keyOf(type: string, row: Row): unknown[] {
    const key = this.view.primaryKey(type).map((name) => row[name]);
    if (key.some((v) => v === null || v === undefined || v === '')) {
      throw validationError(`Primary key ${this.view.primaryKey(type).join(', ')} of '${type}' must be set.`);
    }
    return key;
  }

  /** Writes data into row; returns collection assignments to apply after the row exists. */
  private assign(type: string, row: Row, data: Record<string, unknown>, mode: 'create' | 'update'): PendingCollection[] {
    const pending: PendingCollection[] = [];
    for (const [attribute, value] of Object.entries(data)) {
      if (attribute === '__entity_type__') continue;
      const kind = this.view.kind(type, attribute);
      if (!kind) throw validationError(`Attribute '${attribute}' does not exist on '${type}'.`);
      if (this.view.isComputed(type, attribute)) {
        if (mode === 'update') throw validationError(`Attribute '${attribute}' on '${type}' is computed and cannot be set.`);
        continue;
      }
      if (mode === 'update' && this.view.isImmutable(type, attribute)) {
        throw validationError(`Attribute '${attribute}' on '${type}' is immutable.`);
      }
      if (kind === 'collection' || kind === 'mapped') {
        if (value === null) continue;
        if (kind === 'mapped' && typeof value === 'object' && !Array.isArray(value) && !asReference(value)) {
          pending.push({ attribute, items: [], entries: value as Record<string, unknown> });
          continue;
        }
        if (!Array.isArray(value)) throw validationError(`Attribute '${attribute}' on '${type}' expects a list of entities.`);
        pending.push({ attribute, items: value });
        continue;
      }
      if (kind === 'reference') {
        this.assignReference(type, row, attribute, value, mode);
        continue;
      }
      row[attribute] = toStoredValue(this.view, type, attribute, value);
    }
    return pending;
  }

  private assignReference(type: string, row: Row, attribute: string, value: unknown, mode: 'create' | 'update'): void {
    const relation = this.view.relation(type, attribute);
    if (!relation || relation.kind !== 'reference' || !relation.localKey) {
      throw validationError(`Reference '${attribute}' on '${type}' cannot be set.`);
    }
    if (mode === 'update' && this.view.isImmutable(type, relation.localKey)) {
      throw validationError(`Attribute '${attribute}' on '${type}' is immutable.`);
    }
    if (value === null) {
      row[relation.localKey] = null;
      return;
    }
    const reference = asReference(value);
    if (!reference) throw validationError(`Attribute '${attribute}' on '${type}' expects an entity reference.`);
    const remote = reference.data[relation.remoteKey ?? 'id'];
    if (remote === undefined || remote === null) throw validationError(`Reference '${attribute}' on '${type}' lacks its key.`);
    row[relation.localKey] = remote;
  }

  private checkRequired(type: string, row: Row): void {
    for (const name of this.view.schema(type).required ?? []) {
      const kind = this.view.kind(type, name);
      if (kind !== 'scalar' && kind !== 'datetime') continue;
      if (this.view.isComputed(type, name)) continue;
      if (row[name] === undefined || row[name] === null) throw validationError(`Attribute '${name}' is required.`);
    }
  }

  /** Foreign keys that changed must point at existing entities. */
  private checkReferences(type: string, row: Row, attributes: readonly string[]): void {
    const schema = this.view.schema(type);
    for (const [name, prop] of Object.entries(schema.properties)) {
      if (prop.type || !prop.$ref) continue;
      const relation = this.view.relation(type, name);
      if (!relation?.localKey || !attributes.includes(relation.localKey)) continue;
      const value = row[relation.localKey];
      if (value === null || value === undefined) continue;
      if ((relation.remoteKey ?? 'id') !== this.view.primaryKey(relation.target)[0]) continue;
      if (!this.repo.findAmong(this.view.concreteTypes(relation.target), [value])) {
        throw validationError(`Reference '${name}' on '${type}' points to a ${relation.target} that does not exist (${String(value)}).`);
      }
    }
  }

  /** The listed items become the collection's members (protocol §3.5). */
  private setMembers(type: string, owner: Row, pending: PendingCollection): void {
    const relation = this.view.relation(type, pending.attribute);
    if (relation?.derived === 'custom_attributes') {
      if (pending.entries) return this.customValues.setByKey(type, owner, pending.entries);
      return this.customValues.checkMembers(owner['id'], pending.items);
    }
    if (relation?.through && !pending.entries) {
      return setLinkedMembers(this.view, this.repo, type, owner, pending.attribute, pending.items);
    }
    if (!relation || relation.kind !== 'collection' || !relation.remoteKey) {
      throw validationError(`Collection '${pending.attribute}' on '${type}' cannot be set through ftrack-local.`);
    }
    const ownerValue = owner[relation.localKey ?? 'id'];
    if (pending.entries) return this.upsertEntries(type, ownerValue, relation.target, pending);
    const targetTypes = this.view.concreteTypes(relation.target);
    const isMapped = this.view.kind(type, pending.attribute) === 'mapped';
    const wanted = new Set<string>();
    for (const item of pending.items) {
      const reference = asReference(item);
      if (!reference) throw validationError(`Collection '${pending.attribute}' on '${type}' expects entity references.`);
      const itemType = targetTypes.includes(reference.type) ? reference.type : undefined;
      if (!itemType) throw validationError(`'${reference.type}' cannot be a member of '${pending.attribute}' on '${type}'.`);
      const pk = this.view.primaryKey(itemType);
      const key = pk.map((name) => reference.data[name]);
      const before = this.repo.get(itemType, key);
      if (!before) throw validationError(`${itemType} with key ${JSON.stringify(key)} does not exist.`);
      wanted.add(`${itemType}|${JSON.stringify(key)}`);
      const after: Row = { ...before, [relation.remoteKey]: ownerValue };
      if (itemType === 'Metadata' || 'parent_type' in (this.view.schema(itemType).properties ?? {})) {
        if (relation.remoteKey === 'parent_id') after['parent_type'] = type;
      }
      if (pk.includes(relation.remoteKey) && before[relation.remoteKey] !== ownerValue) {
        throw validationError(`${itemType} ${JSON.stringify(key)} belongs to another ${type}.`);
      }
      if (JSON.stringify(after) !== JSON.stringify(before)) this.repo.replace(itemType, key, after, before);
    }
    if (isMapped) return; // key/value collections lose entries by delete, not by omission
    for (const itemType of targetTypes) {
      const pk = this.view.primaryKey(itemType);
      if (pk.includes(relation.remoteKey)) continue;
      for (const { row: member } of this.repo.findBy([itemType], relation.remoteKey, ownerValue)) {
        if (member[relation.remoteKey] !== ownerValue) continue;
        const key = pk.map((name) => member[name]);
        if (wanted.has(`${itemType}|${JSON.stringify(key)}`)) continue;
        this.repo.replace(itemType, key, { ...member, [relation.remoteKey]: null }, member);
      }
    }
  }

  private upsertEntries(type: string, ownerId: unknown, target: string, pending: PendingCollection): void {
    if (target !== 'Metadata') throw validationError(`Collection '${pending.attribute}' on '${type}' expects a list of entities.`);
    for (const [key, value] of Object.entries(pending.entries ?? {})) {
      if (typeof value !== 'string') throw validationError(`Metadata value for '${key}' must be a string.`);
      const row: Row = { parent_id: ownerId, parent_type: type, key, value };
      const before = this.repo.get('Metadata', [ownerId, key]);
      if (before) this.repo.replace('Metadata', [ownerId, key], { ...before, ...row }, before);
      else this.repo.insert('Metadata', [ownerId, key], row);
    }
  }

  private deleteCascade(type: string, row: Row): void {
    const id = row['id'];
    if (type === 'AssetVersion') this.versions.forget(row['asset_id']);
    if (this.view.isA(type, 'Context')) {
      for (const child of this.repo.findBy(this.view.concreteTypes('Context'), 'parent_id', id)) this.deleteCascade(child.type, child.row);
      for (const asset of this.repo.findBy(['Asset'], 'context_id', id)) this.deleteCascade('Asset', asset.row);
    } else if (type === 'Asset') {
      for (const version of this.repo.findBy(['AssetVersion'], 'asset_id', id)) this.deleteCascade('AssetVersion', version.row);
    } else if (type === 'AssetVersion') {
      for (const component of this.repo.findBy(this.view.concreteTypes('Component'), 'version_id', id)) {
        this.deleteCascade(component.type, component.row);
      }
    } else if (this.view.isA(type, 'Component')) {
      for (const { row: location } of this.repo.findBy(['ComponentLocation'], 'component_id', id)) {
        if (location['location_id'] === LOCATION_IDS.server && typeof location['resource_identifier'] === 'string') {
          this.removedFiles.push(location['resource_identifier']);
        }
        this.repo.remove('ComponentLocation', [location['id']], location);
      }
      for (const { row: link } of this.repo.findBy(['JobComponent'], 'component_id', id)) {
        this.repo.remove('JobComponent', [link['component_id'], link['job_id']], link);
      }
      for (const member of this.repo.findBy(this.view.concreteTypes('Component'), 'container_id', id)) this.deleteCascade(member.type, member.row);
    } else if (type === 'Job') {
      for (const { row: link } of this.repo.findBy(['JobComponent'], 'job_id', id)) {
        this.repo.remove('JobComponent', [link['component_id'], link['job_id']], link);
      }
    }
    if (id !== undefined) {
      this.customValues.removeFor(id);
      removeLinksTo(this.repo, id);
    }
    if (id !== undefined && this.view.has('Metadata')) {
      for (const { row: meta } of this.repo.findBy(['Metadata'], 'parent_id', id)) {
        this.repo.remove('Metadata', [meta['parent_id'], meta['key']], meta);
      }
    }
    if (this.view.isA(type, 'Context') || type === 'AssetVersion') {
      for (const { row: note } of this.repo.findBy(['Note'], 'parent_id', id)) this.repo.remove('Note', [note['id']], note);
    }
    const key = this.view.primaryKey(type).map((name) => row[name]);
    if (this.repo.get(type, key)) this.repo.remove(type, key, row);
  }
}
