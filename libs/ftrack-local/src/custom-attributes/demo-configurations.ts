// The custom attributes studios set up first: frame range, fps, handles and
// resolution, global and hierarchical, with values on the demo project and shot.
import type { EntityRepo } from '../store/entity-repo.js';
import { stableId } from '../store/stable-id.js';
import { customAttributeTypeId } from './attribute-types.js';
import { STORED_VALUE_TYPE } from './value-types.js';

interface DemoAttribute {
  key: string;
  label: string;
  default: number;
  decimal: boolean;
}

const DEMO_ATTRIBUTES: readonly DemoAttribute[] = [
  { key: 'fstart', label: 'Frame start', default: 1001, decimal: false },
  { key: 'fend', label: 'Frame end', default: 1001, decimal: false },
  { key: 'fps', label: 'FPS', default: 25, decimal: true },
  { key: 'handles', label: 'Handles', default: 0, decimal: false },
  { key: 'resolutionWidth', label: 'Resolution width', default: 1920, decimal: false },
  { key: 'resolutionHeight', label: 'Resolution height', default: 1080, decimal: false },
];

export function demoConfigurationId(key: string): string {
  return stableId(`custom-attribute-configuration:${key}`);
}

/** Inserts the demo configurations and values that are missing (idempotent). */
export function ensureDemoCustomAttributes(repo: EntityRepo, ids: { projectId: string; shotId: string }): void {
  const values: [string, string, number][] = [
    [ids.projectId, 'fps', 24],
    [ids.projectId, 'fstart', 1001],
    [ids.projectId, 'fend', 1100],
    [ids.projectId, 'handles', 8],
    [ids.shotId, 'fend', 1050],
  ];
  repo.transaction(() => {
    DEMO_ATTRIBUTES.forEach((attribute, sort) => {
      const id = demoConfigurationId(attribute.key);
      if (repo.get('CustomAttributeConfiguration', [id])) return;
      repo.insert('CustomAttributeConfiguration', [id], {
        id,
        key: attribute.key,
        label: attribute.label,
        type_id: customAttributeTypeId('number'),
        entity_type: 'show',
        object_type_id: null,
        project_id: null,
        is_hierarchical: true,
        default: attribute.default,
        config: JSON.stringify({ isdecimal: attribute.decimal }),
        core: false,
        sort,
        group_id: null,
      });
    });
    for (const [entityId, key, value] of values) {
      const configurationId = demoConfigurationId(key);
      if (repo.get(STORED_VALUE_TYPE, [configurationId, entityId])) continue;
      repo.insert(STORED_VALUE_TYPE, [configurationId, entityId], { configuration_id: configurationId, entity_id: entityId, value });
    }
  });
}
