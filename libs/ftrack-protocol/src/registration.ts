// Browser-safe (no node: imports): the CLI's registry and the web app build the same
// ftrack operations for a publish from here, so both register review media identically.
import { formatChecksum, formatRational, toNumber, type ComponentToRegister, type RegistrationRequest } from '@ftrack-encode/core';

/** Metadata keys recording what made a component; the dedup key is source_checksum + profile_hash. */
export const PROVENANCE_PREFIX = 'ftrack_encode.';

export type FtrackOperation = Record<string, unknown>;

/** ftr_meta tells the ftrack web player how to play a component (protocol §6.4). */
export function ftrMetaFor(component: Pick<ComponentToRegister, 'output'>): string | undefined {
  const { output } = component;
  if (output.spec.kind === 'video') {
    // frameIn 0 / frameOut = frame count: the player's timeline is the movie's own. A slate sits
    // before frame 0, so the player's frame numbers still count the picture's frames.
    const slate = output.slateFrames ?? 0;
    return JSON.stringify({
      frameIn: -slate,
      frameOut: output.info.frameCount - slate,
      frameRate: Math.round(toNumber(output.info.frameRate) * 1000) / 1000,
      width: output.info.width,
      height: output.info.height,
    });
  }
  if (output.spec.role === 'review-image') return JSON.stringify({ format: 'image', width: output.info.width, height: output.info.height });
  return undefined;
}

/** Only the provenance and the stored checksum/size are read: the QC report shows it before anything is stored. */
export function provenanceFor(
  request: Pick<RegistrationRequest, 'provenance'>,
  component: { output: ComponentToRegister['output']; stored: Pick<ComponentToRegister['stored'], 'checksum' | 'size'> },
): Record<string, string> {
  const { output, stored } = component;
  const p = request.provenance;
  const bitrate = output.info.bitRate ?? (output.spec.kind === 'video' ? output.spec.bitrate : undefined);
  const values: Record<string, string | number | undefined> = {
    source_path: p.sourcePath,
    source_checksum: p.sourceChecksum,
    profile: p.profileName,
    profile_hash: p.profileHash,
    encoder: p.encoderId,
    encoder_version: p.encoderVersion,
    codec: output.info.codec,
    bitrate,
    resolution: `${output.info.width}x${output.info.height}`,
    frame_rate: formatRational(output.info.frameRate),
    checksum: formatChecksum(stored.checksum),
    size: stored.size,
    // Colour pipeline, frame-rate source, first frame, timecode, conform (EncodedOutput.notes).
    ...output.notes,
  };
  return Object.fromEntries(
    Object.entries(values)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => [`${PROVENANCE_PREFIX}${k}`, String(v)]),
  );
}

function fileType(component: ComponentToRegister): string {
  const dot = component.output.path.lastIndexOf('.');
  const slash = Math.max(component.output.path.lastIndexOf('/'), component.output.path.lastIndexOf('\\'));
  return dot > slash + 1 ? component.output.path.slice(dot) : `.${component.output.spec.container}`;
}

export interface RegistrationOperationOptions {
  /**
   * The FileComponents and their ComponentLocations exist already (the browser's
   * createComponent made them while uploading): only metadata and the thumbnail remain.
   */
  componentsExist?: boolean;
  newId?: () => string;
}

/** Every operation of one publish, for ONE batched call: all or nothing. */
export function buildRegistrationOperations(request: RegistrationRequest, options: RegistrationOperationOptions = {}): FtrackOperation[] {
  const newId = options.newId ?? (() => crypto.randomUUID());
  const { target, locationId, components } = request;
  const operations: FtrackOperation[] = [];
  for (const component of components) {
    const { componentId, output, stored } = component;
    const createsComponent = !component.componentExists && !options.componentsExist;
    if (createsComponent) {
      operations.push({
        action: 'create',
        entity_type: 'FileComponent',
        entity_data: {
          __entity_type__: 'FileComponent',
          id: componentId,
          name: output.name,
          file_type: fileType(component),
          size: stored.size,
          version_id: target.versionId,
        },
      });
    }
    if (!component.componentExists) {
      const metadata: Record<string, string> = { ...provenanceFor(request, component) };
      const ftrMeta = ftrMetaFor(component);
      if (ftrMeta) metadata['ftr_meta'] = ftrMeta;
      for (const [key, value] of Object.entries(metadata)) {
        operations.push({
          action: 'create',
          entity_type: 'Metadata',
          entity_key: [componentId, key],
          entity_data: { __entity_type__: 'Metadata', parent_id: componentId, parent_type: 'FileComponent', key, value },
        });
      }
    }
    // Never a second ComponentLocation for the same component and location.
    if (!options.componentsExist && !component.locationExists) {
      operations.push({
        action: 'create',
        entity_type: 'ComponentLocation',
        entity_data: {
          __entity_type__: 'ComponentLocation',
          id: newId(),
          component_id: componentId,
          location_id: locationId,
          resource_identifier: stored.resourceIdentifier,
        },
      });
    }
  }
  const thumbnail = request.thumbnailName ? components.find((c) => c.output.name === request.thumbnailName) : undefined;
  if (thumbnail) {
    operations.push({
      action: 'update',
      entity_type: 'AssetVersion',
      entity_key: [target.versionId],
      entity_data: { __entity_type__: 'AssetVersion', thumbnail_id: thumbnail.componentId },
    });
  }
  return operations;
}
