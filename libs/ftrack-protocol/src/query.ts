// ftrack query language: quoting, id checks and the queries this project sends, in one place
// (the registry, the daemon and the browser app build them here).
import { EncodeError } from '@ftrack-encode/core';
import { PROVENANCE_PREFIX } from './registration.js';

/** A string literal of the query language. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Ids go into query expressions: only UUID-like text is accepted (E_FTRACK_NOT_FOUND otherwise). */
export function checkId(id: string, what: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new EncodeError('E_FTRACK_NOT_FOUND', `${what} "${id}" is not a valid ftrack id.`);
  return id;
}

const list = (ids: readonly string[], what: string) => ids.map((id) => quote(checkId(id, what))).join(', ');

export const queries = {
  /** The version a publish targets, with what a disk structure needs. */
  versionTarget: (versionId: string) =>
    `select id, version, asset_id, asset.name, asset.context_id, asset.parent.link from AssetVersion where id is ${quote(checkId(versionId, 'AssetVersion'))}`,
  contextById: (id: string) => `select id, name, parent_id from Context where id is ${quote(checkId(id, 'Context'))}`,
  /** Every component of a version with its metadata and locations (earlier publishes are found by provenance). */
  versionComponents: (versionId: string) =>
    `select id, name, size, metadata, component_locations.location_id, component_locations.resource_identifier from Component where version_id is ${quote(checkId(versionId, 'AssetVersion'))}`,
  locationByName: (name: string) => `select id, name from Location where name is ${quote(name)}`,
  locationById: (id: string) => `select id, name from Location where id is ${quote(checkId(id, 'Location'))}`,
  allLocations: () => 'select id, name from Location',
  resourceRegistered: (locationId: string, resourceIdentifier: string) =>
    `select id from ComponentLocation where location_id is ${quote(checkId(locationId, 'Location'))} and resource_identifier is ${quote(resourceIdentifier)} limit 1`,
  sourceComponents: (ref: { versionId: string } | { componentId: string }) =>
    'select id, name, file_type, size, version_id, component_locations.location_id, component_locations.resource_identifier from Component ' +
    ('componentId' in ref
      ? `where id is ${quote(checkId(ref.componentId, 'Component'))}`
      : `where version_id is ${quote(checkId(ref.versionId, 'AssetVersion'))}`),
  /** What burn-ins may show beyond names: the version's task, the custom attributes of the asset's parent. */
  versionTask: (versionId: string) => `select task.name from AssetVersion where id is ${quote(checkId(versionId, 'AssetVersion'))}`,
  assetParentCustomAttributes: (assetId: string) => `select parent.custom_attributes from Asset where id is ${quote(checkId(assetId, 'Asset'))}`,
  /** A component added to a location, with the asset type auto-encode rules match on. */
  addedComponent: (componentId: string) =>
    `select id, name, version_id, version.asset.type.short from Component where id is ${quote(checkId(componentId, 'Component'))}`,
  componentsByIds: (ids: readonly string[]) => `select id from Component where id in (${list(ids, 'Component')})`,
  /** Which of these components carry the provenance of a finished registration batch. */
  registeredProvenance: (ids: readonly string[]) =>
    `select parent_id from Metadata where parent_id in (${list(ids, 'Component')}) and key is ${quote(`${PROVENANCE_PREFIX}profile_hash`)}`,
} as const;
