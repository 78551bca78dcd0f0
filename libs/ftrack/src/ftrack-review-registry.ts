import {
  EncodeError,
  registeredComponentsOf,
  type ExistingComponent,
  type RegisteredComponent,
  type RegistrationKey,
  type RegistrationRequest,
  type ReviewRegistry,
  type ReviewTarget,
  type SourceComponent,
} from '@ftrack-encode/core';
import type { FtrackConnection } from './ftrack-connection.js';
import { buildRegistrationOperations, checkId, PROVENANCE_PREFIX, queries } from '@ftrack-encode/ftrack-protocol';

const REVIEW_NAME = /^(ftrackreview-|thumbnail$)/;

interface Row {
  [key: string]: unknown;
}
interface QueryResult {
  data: Row[];
}
interface LinkItem {
  id: string;
  name: string;
  type?: string;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
}

function metadataOf(row: Row): Map<string, string> {
  const map = new Map<string, string>();
  const items = row['metadata'];
  if (Array.isArray(items)) for (const item of items as Row[]) map.set(str(item['key']), str(item['value']));
  return map;
}

function locationsOf(row: Row): Row[] {
  const items = row['component_locations'];
  return Array.isArray(items) ? (items as Row[]) : [];
}

/** ReviewRegistry over an @ftrack/api Session: plain queries, and one batch per registration. */
export class FtrackReviewRegistry implements ReviewRegistry {
  constructor(private readonly connection: FtrackConnection) {}

  private async query(what: string, expression: string): Promise<Row[]> {
    const [result] = await this.connection.call<QueryResult>(what, [{ action: 'query', expression }]);
    return result?.data ?? [];
  }

  async resolveTarget(versionId: string): Promise<ReviewTarget> {
    checkId(versionId, 'AssetVersion');
    const [row] = await this.query(`Looking up version ${versionId}`, queries.versionTarget(versionId));
    if (!row) {
      throw new EncodeError('E_FTRACK_NOT_FOUND', `AssetVersion ${versionId} does not exist on ${(await this.connection.credentials()).serverUrl}.`, {
        hint: "Check the version id (ftrack web: the version's Info tab, or `select id from AssetVersion ...`).",
        details: { versionId },
      });
    }
    const asset = (row['asset'] ?? {}) as Row;
    const link = await this.contextLink(asset);
    const [project, ...parents] = link.map((item) => item.name);
    return {
      versionId,
      version: Number(row['version']),
      assetId: str(row['asset_id'] ?? asset['id']),
      asset: str(asset['name']),
      project: project ?? '',
      parents,
    };
  }

  /** Project down to the asset's parent: `link` when the server gives it, else walk parent ids. */
  private async contextLink(asset: Row): Promise<LinkItem[]> {
    const parent = (asset['parent'] ?? {}) as Row;
    const link = parent['link'];
    if (Array.isArray(link) && link.length > 0) return link as LinkItem[];
    const chain: LinkItem[] = [];
    let id = str(asset['context_id'] ?? parent['id']);
    for (let depth = 0; id && depth < 32; depth += 1) {
      const [ctx] = await this.query('Walking the context tree', queries.contextById(id));
      if (!ctx) break;
      chain.unshift({ id, name: str(ctx['name']) });
      id = str(ctx['parent_id']);
    }
    return chain;
  }

  async findRegistration(versionId: string, key: RegistrationKey): Promise<ExistingComponent[] | undefined> {
    checkId(versionId, 'AssetVersion');
    const rows = await this.query(`Looking for earlier review media on version ${versionId}`, queries.versionComponents(versionId));
    const found: ExistingComponent[] = [];
    for (const row of rows) {
      const meta = metadataOf(row);
      if (meta.get(`${PROVENANCE_PREFIX}source_checksum`) !== key.sourceChecksum) continue;
      if (meta.get(`${PROVENANCE_PREFIX}profile_hash`) !== key.profileHash) continue;
      found.push({
        id: str(row['id']),
        name: str(row['name']),
        checksum: meta.get(`${PROVENANCE_PREFIX}checksum`) ?? '',
        size: Number(row['size'] ?? meta.get(`${PROVENANCE_PREFIX}size`) ?? 0),
        locations: locationsOf(row).map((l) => ({ locationId: str(l['location_id']), resourceIdentifier: str(l['resource_identifier']) })),
      });
    }
    return found.length > 0 ? found : undefined;
  }

  async register(request: RegistrationRequest): Promise<RegisteredComponent[]> {
    const { target, components } = request;
    checkId(target.versionId, 'AssetVersion');
    const operations = buildRegistrationOperations(request);
    // One batch: the server applies it in one transaction, so a failure registers nothing.
    if (operations.length > 0) await this.connection.call(`Registering ${components.length} components on version ${target.versionId}`, operations);
    return registeredComponentsOf(request);
  }

  async burninValues(target: ReviewTarget): Promise<Record<string, string>> {
    const values: Record<string, string> = {};
    const [task, parent] = await Promise.all([
      this.query('Looking up the version task', queries.versionTask(target.versionId)).catch(() => []),
      target.assetId ? this.query('Looking up custom attributes', queries.assetParentCustomAttributes(target.assetId)).catch(() => []) : Promise.resolve([]),
    ]);
    const taskName = ((task[0]?.['task'] ?? {}) as Row)['name'];
    if (taskName) values['task'] = str(taskName);
    const attributes = ((parent[0]?.['parent'] ?? {}) as Row)['custom_attributes'];
    // The server sends a list of {key, value} rows (the JS client may also shape it as an object).
    const entries: [string, unknown][] = Array.isArray(attributes)
      ? (attributes as Row[]).map((a) => [str(a['key']), a['value']])
      : attributes && typeof attributes === 'object'
        ? Object.entries(attributes as Row)
        : [];
    for (const [key, value] of entries) if (key && value !== null && value !== undefined) values[`shot.custom.${key}`] = str(value);
    return values;
  }

  async isResourceRegistered(locationId: string, resourceIdentifier: string): Promise<boolean> {
    const rows = await this.query(`Checking what is recorded at ${resourceIdentifier}`, queries.resourceRegistered(locationId, resourceIdentifier));
    return rows.length > 0;
  }

  async locationId(name: string): Promise<string> {
    const [row] = await this.query(`Looking up location ${name}`, queries.locationByName(name));
    if (!row) {
      throw new EncodeError('E_FTRACK_NOT_FOUND', `ftrack has no Location named "${name}".`, {
        hint: 'Create the location in ftrack (System settings > Locations) or fix storage.locationName.',
        details: { location: name },
      });
    }
    return str(row['id']);
  }

  async findSourceComponent(ref: { versionId: string; name?: string } | { componentId: string }): Promise<SourceComponent> {
    const [components, locations] = await this.connection.call<QueryResult>('Looking up the source component', [
      { action: 'query', expression: queries.sourceComponents(ref) },
      { action: 'query', expression: queries.allLocations() },
    ]);
    const rows = components?.data ?? [];
    const locationNames = new Map((locations?.data ?? []).map((l) => [str(l['id']), str(l['name'])]));
    let chosen: Row | undefined;
    if ('componentId' in ref) chosen = rows[0];
    else if (ref.name !== undefined) chosen = rows.find((r) => r['name'] === ref.name);
    else chosen = rows.filter((r) => !REVIEW_NAME.test(str(r['name']))).sort((a, b) => Number(b['size'] ?? 0) - Number(a['size'] ?? 0))[0];
    if (!chosen) {
      const what =
        'componentId' in ref ? `Component ${ref.componentId}` : `A source component${ref.name ? ` named "${ref.name}"` : ''} on version ${ref.versionId}`;
      throw new EncodeError('E_FTRACK_NOT_FOUND', `${what} does not exist.`, {
        hint:
          rows.length > 0
            ? `Components on the version: ${rows.map((r) => str(r['name'])).join(', ')}`
            : 'Upload the source to the version first, or give a file path.',
        details: { ...ref },
      });
    }
    return {
      componentId: str(chosen['id']),
      name: str(chosen['name']),
      fileType: str(chosen['file_type']),
      size: Number(chosen['size'] ?? 0),
      versionId: chosen['version_id'] ? str(chosen['version_id']) : null,
      locations: locationsOf(chosen).map((l) => ({
        locationId: str(l['location_id']),
        locationName: locationNames.get(str(l['location_id'])) ?? '',
        resourceIdentifier: str(l['resource_identifier']),
      })),
    };
  }
}
