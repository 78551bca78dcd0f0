// Everything the page asks ftrack, over @ftrack/api's browser Session. Ids are validated
// before they go into a query; names come back as data and are rendered as text.
import { Session } from '@ftrack/api';
import { EncodeError, type ReviewTarget } from '@ftrack-encode/core';
import { queries, SERVER_LOCATION_NAME } from '@ftrack-encode/ftrack-protocol';
import type { Credentials } from '../settings.js';

export interface Named {
  id: string;
  name: string;
}

export interface VersionChoice extends Named {
  assetId: string;
}

export type FtrackOperations = Parameters<Session['call']>[0];

const ID = /^[0-9a-fA-F-]{1,64}$/;

function checkedId(id: string): string {
  if (!ID.test(id)) throw new EncodeError('E_USAGE', `"${id}" is not an ftrack id.`);
  return id;
}

type Row = Record<string, unknown>;
const str = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

export class FtrackClient {
  private constructor(
    readonly session: Session,
    readonly credentials: Credentials,
    readonly userName: string,
  ) {}

  /** Signs in; E_FTRACK_AUTH with words a reviewer understands when the server or key is wrong. */
  static async connect(credentials: Credentials): Promise<FtrackClient> {
    let session: Session;
    try {
      session = new Session(credentials.serverUrl, credentials.user, credentials.apiKey, { autoConnectEventHub: false });
      await session.initializing;
    } catch (error) {
      throw signInError(error, credentials.serverUrl);
    }
    const info = (session.serverInformation ?? {}) as { user_information?: { first_name?: string; last_name?: string } };
    const name = `${info.user_information?.first_name ?? ''} ${info.user_information?.last_name ?? ''}`.trim() || credentials.user;
    return new FtrackClient(session, credentials, name);
  }

  /** Which of these components exist, and whether their registration batch (provenance metadata) landed. */
  async registeredComponents(ids: readonly string[]): Promise<{ id: string; registered: boolean }[]> {
    if (ids.length === 0) return [];
    const [components, metadata] = await Promise.all([this.rows(queries.componentsByIds(ids)), this.rows(queries.registeredProvenance(ids))]);
    const registered = new Set(metadata.map((m) => str(m['parent_id'])));
    return components.map((c) => ({ id: str(c['id']), registered: registered.has(str(c['id'])) }));
  }

  async projects(): Promise<Named[]> {
    const rows = await this.rows('select id, name, full_name from Project order by name');
    return rows.map((r) => ({ id: str(r['id']), name: str(r['full_name']) || str(r['name']) }));
  }

  async shots(projectId: string): Promise<Named[]> {
    const rows = await this.rows(`select id, name, parent.name from Shot where project_id is "${checkedId(projectId)}" order by name`);
    return rows.map((r) => {
      const parent = str((r['parent'] as Row | undefined)?.['name']);
      return { id: str(r['id']), name: parent ? `${parent} / ${str(r['name'])}` : str(r['name']) };
    });
  }

  async assets(shotId: string): Promise<Named[]> {
    const rows = await this.rows(`select id, name from Asset where context_id is "${checkedId(shotId)}" order by name`);
    return rows.map((r) => ({ id: str(r['id']), name: str(r['name']) }));
  }

  async versions(shotId: string): Promise<VersionChoice[]> {
    const rows = await this.rows(
      `select id, version, asset_id, asset.name from AssetVersion where asset.context_id is "${checkedId(shotId)}" order by version descending`,
    );
    return rows
      .map((r) => ({
        id: str(r['id']),
        assetId: str(r['asset_id']),
        name: `${str((r['asset'] as Row | undefined)?.['name'])} v${String(r['version']).padStart(3, '0')}`,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A new version on an asset; ftrack numbers it. */
  async createVersion(assetId: string, comment: string): Promise<string> {
    const created = await this.session.create('AssetVersion', { asset_id: checkedId(assetId), comment } as Record<string, unknown>);
    return str((created.data as Row)['id']);
  }

  /** The version publish targets, with the names the registration records. */
  async reviewTarget(versionId: string): Promise<ReviewTarget> {
    const [row] = await this.rows(`select id, version, asset_id, asset.name, asset.parent.link from AssetVersion where id is "${checkedId(versionId)}"`);
    if (!row) throw new EncodeError('E_FTRACK_NOT_FOUND', 'That version no longer exists in ftrack.');
    const asset = (row['asset'] ?? {}) as Row;
    const link = ((asset['parent'] as Row | undefined)?.['link'] ?? []) as { name?: string }[];
    const [project, ...parents] = link.map((item) => str(item.name));
    return { versionId, version: Number(row['version']), assetId: str(row['asset_id']), asset: str(asset['name']), project: project ?? '', parents };
  }

  async serverLocationId(): Promise<string> {
    const [row] = await this.rows(queries.locationByName(SERVER_LOCATION_NAME));
    if (!row) throw new EncodeError('E_FTRACK_NOT_FOUND', `ftrack has no ${SERVER_LOCATION_NAME} location to upload to.`);
    return str(row['id']);
  }

  private async rows(expression: string): Promise<Row[]> {
    const response = await this.session.query(expression);
    return response.data as Row[];
  }
}

function signInError(error: unknown, serverUrl: string): EncodeError {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (/auth|permission|api key|credential|401|403/i.test(text)) {
    return new EncodeError('E_FTRACK_AUTH', 'ftrack did not accept this user and API key.', { cause: error });
  }
  return new EncodeError('E_FTRACK_FAILED', `Could not reach ftrack at ${serverUrl}.`, { cause: error, hint: 'Check the server address.' });
}
