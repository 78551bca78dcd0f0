import { inject, injectable } from 'tsyringe';
import type { EncodeProfile } from '../domain/encode-profile.js';
import type { EncodedOutput, HashAlgorithm } from '../domain/encode-plan.js';
import { formatChecksum } from '../domain/encode-plan.js';
import { sequenceFramePath, sourceLabel, type GapPolicy, type MediaSource } from '../domain/media-source.js';
import type { Hasher } from '../ports/hasher.js';
import type { Logger } from '../ports/logger.js';
import type { MediaProbe } from '../ports/media-probe.js';
import type { ProgressListener } from '../ports/progress.js';
import type { PublishLock } from '../ports/publish-lock.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { StorageAccessor, StoredFile } from '../ports/storage-accessor.js';
import type { ComponentToRegister, RegisteredComponent, RegistrationKey, ReviewRegistry, ReviewTarget } from '../ports/review-registry.js';
import { TOKENS } from '../tokens.js';
import { EncodeError, throwIfCancelled, toEncodeError } from '../errors.js';
import { profileHash } from '../plan/plan-encode.js';
import { deterministicUuid } from '../domain/stable-hash.js';
import { EncodeMedia } from './encode-media.js';

export interface PublishReviewRequest {
  input: string | MediaSource;
  versionId: string;
  profile: EncodeProfile;
  /** Where encodes are written before they are stored. */
  scratchDir: string;
  gapPolicy?: GapPolicy;
  hashAlgorithm?: HashAlgorithm;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Resolve, probe, plan and check only. */
  dryRun?: boolean;
}

export interface PublishReviewResult {
  versionId: string;
  skipped: boolean;
  /** Why nothing (or only part) was encoded. */
  reason?: string;
  locationName: string;
  components: RegisteredComponent[];
  commands: string[][];
  key: RegistrationKey;
}

const EXTENSION: Record<string, string> = { mp4: 'mp4', mov: 'mov', webm: 'webm', mkv: 'mkv', jpg: 'jpg', png: 'png' };

/**
 * resolve -> probe -> plan -> skip if registered -> encode -> validate -> store -> register -> announce.
 * Registration is one batch, so a version never holds half a publish; files stored before a
 * failed registration are removed again. Never prints, knows no adapter.
 */
@injectable()
export class PublishReview {
  constructor(
    @inject(EncodeMedia) private readonly encodeMedia: EncodeMedia,
    @inject(TOKENS.MediaProbe) private readonly probe: MediaProbe,
    @inject(TOKENS.Hasher) private readonly hasher: Hasher,
    @inject(TOKENS.StorageAccessor) private readonly storage: StorageAccessor,
    @inject(TOKENS.ReviewRegistry) private readonly registry: ReviewRegistry,
    @inject(TOKENS.EventPublisher) private readonly events: EventPublisher,
    @inject(TOKENS.PublishLock) private readonly lock: PublishLock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async run(request: PublishReviewRequest): Promise<PublishReviewResult> {
    const { signal, onProgress } = request;
    const target = await this.registry.resolveTarget(request.versionId);
    const source =
      typeof request.input === 'string' ? await this.probe.locate(request.input, { gapPolicy: request.gapPolicy ?? 'error' }) : request.input;
    throwIfCancelled(signal);
    onProgress?.({ stage: 'check', message: 'source checksum' });
    const sourceChecksum = formatChecksum(await this.hashSource(source, request.hashAlgorithm ?? 'sha256', signal));
    const key: RegistrationKey = { sourceChecksum, profileHash: profileHash(request.profile) };
    const locationName = this.storage.locationName;

    const release = await this.lock.acquire(`${request.versionId}:${key.sourceChecksum}:${key.profileHash}`, signal ? { signal } : {});
    try {
      const existing = await this.registry.findRegistration(request.versionId, key);
      const present = existing ? await this.presentInLocation(existing) : [];
      const missingNames = existing ? existing.filter((c) => !present.includes(c)).map((c) => c.name) : undefined;
      if (existing && missingNames?.length === 0) {
        return { versionId: request.versionId, skipped: true, reason: 'already registered with the same source checksum and profile', locationName, components: existing, commands: [], key };
      }

      const encoded = await this.encodeMedia.run(source, request.profile, {
        outputDir: request.scratchDir,
        gapPolicy: request.gapPolicy ?? 'error',
        ...(request.hashAlgorithm ? { hashAlgorithm: request.hashAlgorithm } : {}),
        ...(request.threads !== undefined ? { threads: request.threads } : {}),
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress } : {}),
        dryRun: Boolean(request.dryRun),
        commit: false,
      });
      if (request.dryRun) return { versionId: request.versionId, skipped: false, locationName, components: [], commands: encoded.commands, key };

      const reuse = new Map((existing ?? []).map((c) => [c.name, c]));
      const toStore = missingNames ? encoded.outputs.filter((o) => missingNames.includes(o.name)) : encoded.outputs;
      try {
        const components = await this.store(toStore, target, key, reuse, request);
        throwIfCancelled(signal);
        onProgress?.({ stage: 'register' });
        const registered = await this.register(components, target, key, source, encoded.encoderId, encoded.encoderVersion, request);
        await this.announce(registered, request.versionId);
        const all = [...present, ...registered];
        return {
          versionId: request.versionId,
          skipped: false,
          ...(existing ? { reason: `re-stored ${missingNames?.join(', ')} missing from ${locationName}` } : {}),
          locationName,
          components: all,
          commands: encoded.commands,
          key,
        };
      } finally {
        await this.encodeMedia.discard(encoded.plan);
      }
    } finally {
      await release();
    }
  }

  private async hashSource(source: MediaSource, algorithm: HashAlgorithm, signal: AbortSignal | undefined) {
    const options = signal ? { signal } : {};
    if (source.kind === 'file') return this.hasher.hashFile(source.path, algorithm, options);
    const frames: string[] = [];
    for (let f = source.first; f <= source.last; f++) if (!source.missing.includes(f)) frames.push(sequenceFramePath(source, f));
    return this.hasher.hashFiles(frames, algorithm, options);
  }

  private async presentInLocation(components: RegisteredComponent[]): Promise<RegisteredComponent[]> {
    const checks = await Promise.all(components.map(async (c) => ((await this.storage.exists(c.resourceIdentifier).catch(() => false)) ? c : undefined)));
    return checks.filter((c): c is RegisteredComponent => c !== undefined);
  }

  /** Upload/copy every output; on any failure remove what was already stored. */
  private async store(
    outputs: EncodedOutput[],
    target: ReviewTarget,
    key: RegistrationKey,
    reuse: Map<string, RegisteredComponent>,
    request: PublishReviewRequest,
  ): Promise<ComponentToRegister[]> {
    const stored: ComponentToRegister[] = [];
    try {
      for (const output of outputs) {
        throwIfCancelled(request.signal);
        const previous = reuse.get(output.name);
        // Same publish, same ids: an upload interrupted by a killed process resumes on re-run.
        const componentId = previous?.id ?? deterministicUuid(target.versionId, key.sourceChecksum, key.profileHash, output.name);
        const context = {
          componentId,
          componentName: output.name,
          extension: EXTENSION[output.spec.container] ?? output.spec.container,
          project: target.project,
          ...(target.parents[0] ? { sequence: target.parents[0] } : {}),
          ...(target.parents[1] ? { shot: target.parents[1] } : {}),
          asset: target.asset,
          version: target.version,
        };
        const file: StoredFile = await this.storage.put(output.path, context, {
          ...(request.signal ? { signal: request.signal } : {}),
          onProgress: (p) => request.onProgress?.({ ...p, stage: 'store', item: output.name }),
        });
        stored.push({ componentId, output, stored: file, ...(previous ? { existing: true } : {}) });
        if (file.checksum.algorithm === output.checksum.algorithm && file.checksum.hex !== output.checksum.hex) {
          throw new EncodeError('E_CHECKSUM_MISMATCH', `Stored ${output.name} does not match the encoded file (${file.checksum.hex} vs ${output.checksum.hex}).`, {
            hint: 'The storage changed the bytes in transit; check the location and retry.',
          });
        }
      }
      return stored;
    } catch (error) {
      await this.unstore(stored);
      throw toEncodeError(error, 'E_STORAGE_FAILED');
    }
  }

  private async register(
    components: ComponentToRegister[],
    target: ReviewTarget,
    key: RegistrationKey,
    source: MediaSource,
    encoderId: string,
    encoderVersion: string,
    request: PublishReviewRequest,
  ): Promise<RegisteredComponent[]> {
    try {
      return await this.registry.register({
        target,
        key,
        locationId: await this.storage.locationId(),
        provenance: {
          sourcePath: sourceLabel(source),
          sourceChecksum: key.sourceChecksum,
          profileName: request.profile.name,
          profileHash: key.profileHash,
          encoderId,
          encoderVersion,
        },
        components,
        ...(components.some((c) => c.output.name === 'thumbnail') ? { thumbnailName: 'thumbnail' } : {}),
      });
    } catch (error) {
      // One batch: nothing was registered. Take the stored files back so nothing is orphaned.
      await this.unstore(components.filter((c) => !c.existing));
      throw toEncodeError(error, 'E_FTRACK_FAILED');
    }
  }

  private async unstore(components: ComponentToRegister[]): Promise<void> {
    for (const c of components) {
      await this.storage.remove(c.stored.resourceIdentifier).catch((error: unknown) => {
        this.logger.warn('could not remove stored file after a failed publish', { resourceIdentifier: c.stored.resourceIdentifier, error: String(error) });
      });
    }
  }

  /** Best effort: review media is registered whether or not the event hub is reachable. */
  private async announce(components: RegisteredComponent[], versionId: string): Promise<void> {
    try {
      for (const c of components) await this.events.publish('ftrack.location.component-added', { component_id: c.id, location_id: c.locationId });
      await this.events.publish('ftrack-encode.publish.completed', {
        version_id: versionId,
        components: components.map((c) => ({ id: c.id, name: c.name, location_id: c.locationId, checksum: c.checksum, size: c.size })),
      });
    } catch (error) {
      this.logger.warn('publish registered but events could not be sent', { error: String(error) });
    }
  }
}
