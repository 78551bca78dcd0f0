// ftrack-local for end-to-end tests and the plain @ftrack/api client that checks what the CLI did:
// start a seeded server, query components, download and checksum files, upload a source
// component the way a pipeline would, list what the server stores, ffprobe a file.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Session } from '@ftrack/api';
import { startFtrackLocal, type FtrackLocalServer } from '@ftrack-encode/ftrack-local';

const exec = promisify(execFile);

export type Row = Record<string, unknown>;

export async function startLocal(dataDir: string): Promise<FtrackLocalServer & { seed: NonNullable<FtrackLocalServer['seed']> }> {
  const server = await startFtrackLocal({ port: 0, dataDir, seed: 'demo' });
  if (!server.seed) throw new Error('ftrack-local started without its demo seed');
  return server as FtrackLocalServer & { seed: NonNullable<FtrackLocalServer['seed']> };
}

/** The environment that points the CLI at a server. */
export function ftrackEnv(server: Pick<FtrackLocalServer, 'url' | 'user' | 'apiKey'>): Record<string, string> {
  return { FTRACK_SERVER: server.url, FTRACK_API_USER: server.user, FTRACK_API_KEY: server.apiKey };
}

export async function plainSession(server: Pick<FtrackLocalServer, 'url' | 'user' | 'apiKey'>): Promise<Session> {
  const session = new Session(server.url, server.user, server.apiKey, { autoConnectEventHub: false, decodeDatesAsIso: true });
  await session.initializing;
  return session;
}

export async function rows(session: Session, expression: string): Promise<Row[]> {
  return (await session.query(expression)).data as Row[];
}

export interface ComponentRow {
  id: string;
  name: string;
  fileType: string;
  size: number;
  /** Metadata key -> value. */
  metadata: Record<string, string>;
  /** location name -> resource identifier. */
  locations: Record<string, string>;
}

/** Every component on a version with its metadata and locations, by plain queries. */
export async function componentsOf(session: Session, versionId: string): Promise<ComponentRow[]> {
  const components = await rows(session, `select id, name, file_type, size from Component where version_id is "${versionId}"`);
  if (components.length === 0) return [];
  const ids = components.map((c) => `"${String(c['id'])}"`).join(', ');
  const [metadata, componentLocations, locations] = await Promise.all([
    rows(session, `select parent_id, key, value from Metadata where parent_id in (${ids})`),
    rows(session, `select component_id, location_id, resource_identifier from ComponentLocation where component_id in (${ids})`),
    rows(session, 'select id, name from Location'),
  ]);
  const locationName = new Map(locations.map((l) => [String(l['id']), String(l['name'])]));
  return components.map((c) => {
    const id = String(c['id']);
    return {
      id,
      name: String(c['name']),
      fileType: String(c['file_type'] ?? ''),
      size: Number(c['size'] ?? 0),
      metadata: Object.fromEntries(metadata.filter((m) => m['parent_id'] === id).map((m) => [String(m['key']), String(m['value'])])),
      locations: Object.fromEntries(
        componentLocations
          .filter((l) => l['component_id'] === id)
          .map((l) => [locationName.get(String(l['location_id'])) ?? String(l['location_id']), String(l['resource_identifier'])]),
      ),
    };
  });
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** GET /component/get with the API key; returns the bytes' sha256 and writes them to `dest`. */
export async function downloadComponent(
  server: Pick<FtrackLocalServer, 'url' | 'user' | 'apiKey'>,
  componentId: string,
  dest: string,
): Promise<{ status: number; sha256: string; size: number }> {
  const url = `${server.url}/component/get?${new URLSearchParams({ id: componentId, username: server.user, apiKey: server.apiKey }).toString()}`;
  const response = await fetch(url);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.ok) {
    await mkdir(dirname(dest), { recursive: true });
    await writeFile(dest, bytes);
  }
  return { status: response.status, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

/** Files the ftrack.server location holds on disk (name = resource identifier), hidden temp files included. */
export async function storedFiles(server: Pick<FtrackLocalServer, 'dataDir'>): Promise<string[]> {
  const dirs = [join(server.dataDir, 'storage'), join(server.dataDir, 'storage-parts')];
  const found: string[] = [];
  for (const dir of dirs) if (existsSync(dir)) found.push(...(await listFiles(dir)).map((f) => relative(server.dataDir, f)));
  return found.sort();
}

export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else out.push(path);
  }
  return out;
}

export interface ProbedVideo {
  codec: string;
  width: number;
  height: number;
  /** Packets counted by ffprobe -count_packets (= frames for these codecs). */
  frames: number;
  /** r_frame_rate as a number. */
  frameRate: number;
}

function rate(text: string): number {
  const [num, den = '1'] = text.split('/');
  return Number(num) / Number(den);
}

export async function probeVideo(path: string): Promise<ProbedVideo> {
  const { stdout } = await exec('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_packets',
    '-show_entries',
    'stream=codec_name,width,height,r_frame_rate,nb_read_packets',
    '-of',
    'json',
    path,
  ]);
  const stream = (JSON.parse(stdout) as { streams: Record<string, string | number>[] }).streams[0];
  if (!stream) throw new Error(`${path} has no video stream`);
  return {
    codec: String(stream['codec_name']),
    width: Number(stream['width']),
    height: Number(stream['height']),
    frames: Number(stream['nb_read_packets']),
    frameRate: rate(String(stream['r_frame_rate'])),
  };
}

/**
 * Upload a local file as a FileComponent on a version, as a pipeline would with the plain API:
 * create + get_upload_metadata in one batch, PUT the bytes, then the ComponentLocation.
 */
export async function uploadSourceComponent(session: Session, versionId: string, path: string, name = 'main'): Promise<string> {
  const id = randomUUID();
  const bytes = await readFile(path);
  const fileType = extname(path);
  const md5 = createHash('md5').update(bytes).digest('base64');
  const [, metadata] = (await session.call([
    {
      action: 'create',
      entity_type: 'FileComponent',
      entity_data: { __entity_type__: 'FileComponent', id, name, file_type: fileType, size: bytes.length, version_id: versionId },
    },
    { action: 'get_upload_metadata', component_id: id, file_name: basename(path), file_size: bytes.length, checksum: md5, parts: null },
  ] as never)) as [unknown, { url: string; headers: Record<string, string> }];
  const response = await fetch(metadata.url, { method: 'PUT', headers: metadata.headers, body: bytes });
  if (!response.ok) throw new Error(`upload of ${path} failed: HTTP ${response.status} ${await response.text()}`);
  await session.call([
    {
      action: 'create',
      entity_type: 'ComponentLocation',
      entity_data: { __entity_type__: 'ComponentLocation', component_id: id, location_id: '3a372bde-05bc-11e4-8908-20c9d081909b', resource_identifier: id },
    },
  ] as never);
  return id;
}

/** Create an entity with the plain client and return its id. */
export async function createEntity(session: Session, entityType: string, data: Record<string, unknown>): Promise<string> {
  const id = String(data['id'] ?? randomUUID());
  await session.call([{ action: 'create', entity_type: entityType, entity_data: { __entity_type__: entityType, ...data, id } }] as never);
  return id;
}

/** A new AssetVersion under the seeded asset, so each test starts from an empty version. */
export function newSeededVersion(session: Session, server: Awaited<ReturnType<typeof startLocal>>): Promise<string> {
  return createEntity(session, 'AssetVersion', { asset_id: server.seed.assetId, task_id: server.seed.taskId });
}

/** Per-test TMPDIR (locks, upload journals, scratch) and XDG_DATA_HOME under `work`, shared by that test's runs. */
export async function isolatedDirs(work: string, name: string): Promise<Record<string, string>> {
  const dir = join(work, 'env', name);
  await mkdir(join(dir, 'tmp'), { recursive: true });
  await mkdir(join(dir, 'xdg'), { recursive: true });
  return { TMPDIR: join(dir, 'tmp'), XDG_DATA_HOME: join(dir, 'xdg') };
}
