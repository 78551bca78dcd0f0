// Attributes the server computes on read: link, thumbnail_url, is_latest_version,
// ComponentLocation.url, JobComponent.url, time_logged.
import type { EntityRepo, Row } from './entity-repo.js';
import { LOCATION_IDS } from './reference-data.js';
import type { SchemaView } from './schema-view.js';

export interface LinkEntry {
  id: string;
  name: string;
  type: string;
}

export interface ComputedUrls {
  /** Signed, credential-free URL of a component's thumbnail image. */
  thumbnail(componentId: string): string;
  /** Signed, credential-free download URL of a stored file. */
  download(resourceIdentifier: string): string;
}

export class ComputedAttributes {
  constructor(
    private readonly view: SchemaView,
    private readonly repo: EntityRepo,
    private readonly urls: ComputedUrls,
  ) {}

  value(type: string, row: Row, attribute: string): unknown {
    switch (attribute) {
      case 'link':
        return this.link(type, row);
      case 'thumbnail_url':
        return typeof row['thumbnail_id'] === 'string' ? { url: this.urls.thumbnail(row['thumbnail_id']) } : null;
      case 'is_latest_version':
        return type === 'AssetVersion' ? this.isLatest(row) : undefined;
      case 'url':
        return this.url(type, row);
      case 'time_logged':
        return 0;
      case 'bid_time_logged_difference':
        return typeof row['bid'] === 'number' ? row['bid'] : 0;
      default:
        return undefined;
    }
  }

  /** Project down to the entity itself (protocol §4.1). */
  link(type: string, row: Row): LinkEntry[] {
    const chain: LinkEntry[] = [];
    const contextTypes = this.view.concreteTypes('Context');
    let current: { type: string; row: Row } | undefined = { type, row };
    if (type === 'AssetVersion') {
      const asset = typeof row['asset_id'] === 'string' ? this.repo.get('Asset', [row['asset_id']]) : undefined;
      const name = `${String(asset?.['name'] ?? '')} v${String(row['version'] ?? '')}`.trim();
      chain.push({ id: String(row['id']), name, type: 'AssetVersion' });
      const contextId = asset?.['context_id'];
      current = typeof contextId === 'string' ? this.repo.findAmong(contextTypes, [contextId]) : undefined;
    }
    const seen = new Set<string>();
    while (current && !seen.has(String(current.row['id']))) {
      seen.add(String(current.row['id']));
      chain.push({
        id: String(current.row['id']),
        name: String(current.row['name'] ?? ''),
        type: current.type === 'Project' ? 'Project' : this.view.isA(current.type, 'Context') ? 'TypedContext' : current.type,
      });
      const parentId: unknown = current.row['parent_id'];
      current = typeof parentId === 'string' ? this.repo.findAmong(contextTypes, [parentId]) : undefined;
    }
    return chain.reverse();
  }

  private isLatest(row: Row): boolean {
    const version = typeof row['version'] === 'number' ? row['version'] : 0;
    return !this.repo
      .findBy(['AssetVersion'], 'asset_id', row['asset_id'])
      .some(({ row: other }) => typeof other['version'] === 'number' && other['version'] > version);
  }

  private url(type: string, row: Row): unknown {
    if (type === 'ComponentLocation') {
      if (row['location_id'] === LOCATION_IDS.server && typeof row['resource_identifier'] === 'string') {
        return { value: this.urls.download(row['resource_identifier']) };
      }
      return typeof row['resource_identifier'] === 'string' ? { value: row['resource_identifier'] } : null;
    }
    if (type === 'JobComponent' && typeof row['component_id'] === 'string') {
      return { value: this.urls.download(row['component_id']) };
    }
    return undefined;
  }
}
