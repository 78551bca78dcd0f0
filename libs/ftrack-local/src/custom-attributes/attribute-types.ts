// The CustomAttributeType rows a fresh ftrack site has, and how each type's
// values are checked and stored.
import { stableId } from '../store/stable-id.js';
import type { Row } from '../store/entity-repo.js';

export const CUSTOM_ATTRIBUTE_TYPE_NAMES = ['text', 'number', 'boolean', 'date', 'enumerator', 'dynamic enumerator', 'expression', 'url'] as const;

export type CustomAttributeTypeName = (typeof CUSTOM_ATTRIBUTE_TYPE_NAMES)[number];

export function customAttributeTypeId(name: CustomAttributeTypeName): string {
  return stableId(`custom-attribute-type:${name}`);
}

export function customAttributeTypeRows(): Row[] {
  return CUSTOM_ATTRIBUTE_TYPE_NAMES.map((name) => ({ id: customAttributeTypeId(name), name, core: true, form_config: null }));
}
