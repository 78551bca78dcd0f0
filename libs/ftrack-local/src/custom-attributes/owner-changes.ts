// In ftrack.update events a custom attribute value change is reported on the entity
// that owns it, with the attribute's key (`keys: ["fps"]` on a Shot), which is what
// event listeners filter on. The exact shape of the real server's event is (unverified).
import type { EntityChange, EntityRepo } from '../store/entity-repo.js';
import type { SchemaView } from '../store/schema-view.js';
import { CustomAttributes } from './custom-attributes.js';
import { STORED_VALUE_TYPE } from './value-types.js';

/** The change as the owner's update; undefined for values of entities deleted in the same batch. */
export function asOwnerChange(view: SchemaView, repo: EntityRepo, change: EntityChange): EntityChange | undefined {
  if (change.type !== STORED_VALUE_TYPE) return change;
  const value = change.after ?? change.before ?? {};
  const config = repo.get('CustomAttributeConfiguration', [value['configuration_id']]);
  const owner = new CustomAttributes(view, repo).owner(String(value['entity_id']));
  if (!config || !owner) return undefined;
  const key = String(config['key']);
  return {
    action: 'update',
    type: owner.type,
    key: [String(value['entity_id'])],
    before: { ...owner.row, [key]: change.before?.['value'] ?? null },
    after: { ...owner.row, [key]: change.after?.['value'] ?? null },
  };
}
