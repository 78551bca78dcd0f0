// Publish from the page: upload each output with @ftrack/api's createComponent (it creates
// the FileComponent and its ftrack.server ComponentLocation), then ONE batch from the shared
// registration code adds ftr_meta, provenance and the version's thumbnail — the same
// operations the CLI sends. If anything fails, the components uploaded so far are deleted.
import { EncodeError, deterministicUuid, formatChecksum, toEncodeError, type ComponentToRegister, type RegistrationRequest } from '@ftrack-encode/core';
import { buildRegistrationOperations } from '@ftrack-encode/ftrack-protocol';
import type { PageEncodeResult, PageOutput } from '../encode/page-encoder.js';
import type { FtrackClient, FtrackOperations } from './ftrack-client.js';

export interface PublishProgress {
  /** Output being uploaded, or undefined while registering. */
  item?: string;
  /** 0..100 over all bytes. */
  percent: number;
}

export interface PublishOptions {
  signal?: AbortSignal;
  onProgress?: (progress: PublishProgress) => void;
}

export interface PublishedComponent {
  id: string;
  name: string;
}

const THUMBNAIL = 'thumbnail';

function extension(output: PageOutput): string {
  const { path } = output.output;
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') ? path.slice(dot) : `.${output.output.spec.container}`;
}

/**
 * PublishReview's semantics in the page: deterministic component ids (version, source checksum,
 * profile hash, output name), so a re-publish of the same file finds what is registered and
 * uploads only what is missing; a failed registration batch is read back before anything is
 * removed, so a committed registration is never undone.
 */
export async function publishReview(
  client: FtrackClient,
  versionId: string,
  encoded: PageEncodeResult,
  options: PublishOptions = {},
): Promise<PublishedComponent[]> {
  const { signal, onProgress } = options;
  const target = await client.reviewTarget(versionId);
  const sourceChecksum = formatChecksum(encoded.source.checksum);
  const key = { sourceChecksum, profileHash: encoded.profileHash };
  const locationId = await client.serverLocationId();
  const idOf = (item: PageOutput) => deterministicUuid(versionId, sourceChecksum, encoded.profileHash, item.output.name);
  const earlier = await client.registeredComponents(encoded.outputs.map(idOf));
  const done = new Set(earlier.filter((c) => c.registered).map((c) => c.id));
  // createComponent made the component but the page closed before its registration batch: start it over.
  await removeComponents(
    client,
    earlier.filter((c) => !c.registered).map((c) => c.id),
  );
  const missing = encoded.outputs.filter((item) => !done.has(idOf(item)));
  const published = encoded.outputs.filter((item) => done.has(idOf(item))).map((item) => ({ id: idOf(item), name: item.output.name }));
  const totalBytes = missing.reduce((sum, o) => sum + o.blob.size, 0) || 1;
  let doneBytes = 0;
  const uploaded: ComponentToRegister[] = [];
  let request: RegistrationRequest | undefined;
  try {
    for (const item of missing) {
      if (signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.');
      const componentId = idOf(item);
      // The file name gives the component its name and file_type (".mp4"); data pins both.
      const file = new File([item.blob], `${item.output.name}${extension(item)}`, { type: item.blob.type });
      const before = doneBytes;
      await client.session.createComponent(file, {
        data: { id: componentId, name: item.output.name, version_id: versionId },
        ...(signal ? { signal } : {}),
        onProgress: (percent: number) => onProgress?.({ item: item.output.name, percent: ((before + (item.blob.size * percent) / 100) / totalBytes) * 100 }),
      });
      doneBytes += item.blob.size;
      uploaded.push({
        componentId,
        output: item.output,
        stored: { resourceIdentifier: componentId, checksum: item.output.checksum, size: item.output.size, created: true },
      });
    }
    onProgress?.({ percent: 100 });
    if (uploaded.length === 0) return published;
    request = {
      target,
      key,
      locationId,
      provenance: {
        sourcePath: encoded.source.name,
        sourceChecksum,
        profileName: encoded.profile.name,
        profileHash: encoded.profileHash,
        encoderId: encoded.encoderId,
        encoderVersion: encoded.encoderVersion,
      },
      components: uploaded,
      ...(uploaded.some((c) => c.output.name === THUMBNAIL) ? { thumbnailName: THUMBNAIL } : {}),
    };
    await client.session.call(buildRegistrationOperations(request, { componentsExist: true }) as FtrackOperations);
    return [...published, ...uploaded.map((c) => ({ id: c.componentId, name: c.output.name }))];
  } catch (error) {
    // The batch may have been committed with its answer lost: believe the server, not the error.
    const verdict = request ? await readBack(client, uploaded) : 'absent';
    if (verdict === 'registered') return [...published, ...uploaded.map((c) => ({ id: c.componentId, name: c.output.name }))];
    if (verdict === 'unknown') {
      throw new EncodeError('E_FTRACK_FAILED', 'ftrack did not confirm the registration; publish again to complete it (nothing is duplicated).', {
        cause: error,
      });
    }
    await removeComponents(
      client,
      uploaded.map((c) => c.componentId),
    );
    if (signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.', { cause: error });
    throw toEncodeError(error, 'E_STORAGE_FAILED');
  }
}
async function readBack(client: FtrackClient, uploaded: ComponentToRegister[]): Promise<'registered' | 'absent' | 'unknown'> {
  try {
    const found = await client.registeredComponents(uploaded.map((c) => c.componentId));
    return found.length === uploaded.length && found.every((c) => c.registered) ? 'registered' : 'absent';
  } catch {
    return 'unknown';
  }
}

/** Best effort: a failed publish leaves no half-registered components on the version. */
async function removeComponents(client: FtrackClient, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await client.session.call(ids.map((id) => ({ action: 'delete', entity_type: 'FileComponent', entity_key: [id] })) as FtrackOperations).catch(() => undefined);
}
