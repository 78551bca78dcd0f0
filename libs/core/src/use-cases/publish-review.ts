import { inject, injectable } from 'tsyringe';
import type { EncodeProfile } from '../domain/encode-profile.js';
import type { EncodePlan, EncodedOutput, HashAlgorithm } from '../domain/encode-plan.js';
import { formatChecksum } from '../domain/encode-plan.js';
import { sequenceFramePath, sourceLabel, type GapPolicy, type MediaSource } from '../domain/media-source.js';
import type { Hasher } from '../ports/hasher.js';
import type { Logger } from '../ports/logger.js';
import type { MediaProbe } from '../ports/media-probe.js';
import type { ProgressListener } from '../ports/progress.js';
import type { PublishLock } from '../ports/publish-lock.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { StorageAccessor, StorageContext, StoredFile } from '../ports/storage-accessor.js';
import type { Progress } from '../ports/progress.js';
import type {
  ComponentToRegister,
  ExistingComponent,
  RegisteredComponent,
  RegistrationKey,
  RegistrationRequest,
  ReviewRegistry,
  ReviewTarget,
} from '../ports/review-registry.js';
import { TOKENS } from '../tokens.js';
import { EncodeError, isEncodeError, throwIfCancelled, toEncodeError } from '../errors.js';
import { confirmRegistration, isDefiniteRefusal, registeredComponentsOf } from './confirm-registration.js';
import { profileHash } from '../plan/plan-encode.js';
import type { FrameRange, SegmentsSetting } from '../domain/segments.js';
import { deterministicUuid, stableHash } from '../domain/stable-hash.js';
import type { SourceSettings } from '../domain/source-settings.js';
import { EncodeMedia, type EncodeMediaResult } from './encode-media.js';

export interface PublishReviewRequest {
  input: string | MediaSource;
  versionId: string;
  profile: EncodeProfile;
  /** Where encodes are written before they are stored. */
  scratchDir: string;
  gapPolicy?: GapPolicy;
  hashAlgorithm?: HashAlgorithm;
  threads?: number;
  /** Segment-parallel encoding (docs/segments.md); default the profile's. */
  segments?: SegmentsSetting;
  /** Fixed plan id, so two runs of one publish plan the same files (the farm's publish flow: plan, then join). */
  planId?: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Resolve, probe, plan and check only. */
  dryRun?: boolean;
  /** Compare the outputs with the source (SSIM/PSNR) before storing; default on. */
  qualityGate?: boolean;
  /** Burn-in values the app knows ({user}); the version's names come from ftrack. */
  burninValues?: Record<string, string | number | undefined>;
  /** Runs on the validated encode before anything is stored (publish --report); a failure stops the publish. */
  beforeStore?: (encoded: EncodeMediaResult, key: RegistrationKey) => Promise<void>;
  /** Read the source again even if its checksum is cached (the files are unchanged by identity). */
  rehash?: boolean;
  /** Waits between read-backs of a registration whose call failed; see confirmRegistration. */
  confirmDelaysMs?: readonly number[];
}

const CONFIRM_DELAYS_MS = [500, 1000, 2000, 4000];
/** How long a clash waits for another run's registration (about 30 s) before it is an error. */
const REGISTER_WAIT_MS = [...CONFIRM_DELAYS_MS, ...Array<number>(22).fill(1000)];

/** A conflict whose other side is this very publish, completed by another run meanwhile. */
class PublishedMeanwhile extends Error {
  constructor(readonly components: RegisteredComponent[]) {
    super('published meanwhile');
  }
}

/**
 * The dedup key's second half: the profile, and — when any is set — how the source is read
 * (colourspace, OCIO config/display/view, rate, audio tracks, layer, site rules). Re-publishing the
 * same source with another view or --fps makes new review media instead of skipping; with no
 * source settings the key is the profile hash alone, as registrations before them recorded.
 */
export function renderingHash(profile: EncodeProfile, settings: SourceSettings | undefined): string {
  const meaningful = Object.fromEntries(Object.entries(settings ?? {}).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
  return Object.keys(meaningful).length === 0 ? profileHash(profile) : stableHash({ profile: profileHash(profile), source: meaningful });
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
  /** Dry runs: what would be encoded, and the frame ranges of its segments (absent: one pass). */
  plan?: EncodePlan;
  segments?: FrameRange[];
}

const EXTENSION: Record<string, string> = { mp4: 'mp4', mov: 'mov', webm: 'webm', mkv: 'mkv', jpg: 'jpg', png: 'png' };

/**
 * resolve -> probe -> plan -> skip if registered -> encode -> validate -> store -> register -> announce.
 * Registration is one batch, so a version never holds half a publish; a failed call is read
 * back before anything is undone, and only files this run wrote are removed again. A re-run
 * creates only what is missing. Never prints, knows no adapter.
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
    @inject(TOKENS.SourceSettings, { isOptional: true }) private readonly sourceSettings?: SourceSettings,
  ) {}

  async run(request: PublishReviewRequest): Promise<PublishReviewResult> {
    const { signal, onProgress } = request;
    // The source is located and checksummed while ftrack resolves the version; an unknown
    // version stops the checksum and fails before anything is encoded.
    const stopHashing = new AbortController();
    const hashSignal = signal ? AbortSignal.any([signal, stopHashing.signal]) : stopHashing.signal;
    const checked = (async () => {
      const source = typeof request.input === 'string' ? await this.probe.locate(request.input, { gapPolicy: request.gapPolicy ?? 'error' }) : request.input;
      throwIfCancelled(signal);
      onProgress?.({ stage: 'check', message: 'source checksum' });
      return { source, checksum: await this.hashSource(source, request.hashAlgorithm ?? 'sha256', { ...request, signal: hashSignal }) };
    })();
    checked.catch(() => undefined); // awaited below, or abandoned when the version is unknown
    const target = await this.registry.resolveTarget(request.versionId).catch(async (error: unknown) => {
      stopHashing.abort();
      await checked.catch(() => undefined);
      throw error;
    });
    const { source, checksum } = await checked;
    throwIfCancelled(signal);
    const sourceChecksum = formatChecksum(checksum);
    const key: RegistrationKey = { sourceChecksum, profileHash: renderingHash(request.profile, this.sourceSettings) };
    const locationName = this.storage.locationName;

    const release = await this.lock.acquire(`${request.versionId}:${key.sourceChecksum}:${key.profileHash}`, signal ? { signal } : {});
    try {
      const locationId = await this.storage.locationId();
      const earlier = await this.earlierRegistration(request.versionId, key, locationId);
      if (earlier && earlier.complete.length === earlier.all.length) {
        return {
          versionId: request.versionId,
          skipped: true,
          reason: 'already registered with the same source checksum and profile',
          locationName,
          components: earlier.complete,
          commands: [],
          key,
        };
      }

      const encoded = await this.encodeMedia.run(source, request.profile, {
        outputDir: request.scratchDir,
        gapPolicy: request.gapPolicy ?? 'error',
        ...(request.hashAlgorithm ? { hashAlgorithm: request.hashAlgorithm } : {}),
        ...(request.threads !== undefined ? { threads: request.threads } : {}),
        ...(request.segments !== undefined ? { segments: request.segments } : {}),
        ...(request.planId ? { planId: request.planId } : {}),
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress } : {}),
        dryRun: Boolean(request.dryRun),
        ...(request.qualityGate === false ? { qualityGate: false } : {}),
        ...(request.profile.burnins || request.profile.slate ? { burninValues: await this.burninValues(target, request) } : {}),
        commit: false,
      });
      if (request.dryRun) {
        const segments = encoded.segments ? { segments: encoded.segments } : {};
        return { versionId: request.versionId, skipped: false, locationName, components: [], commands: encoded.commands, key, plan: encoded.plan, ...segments };
      }

      const done = new Set(earlier?.complete.map((c) => c.name));
      if (request.beforeStore) {
        try {
          await request.beforeStore(encoded, key);
        } catch (error) {
          await this.encodeMedia.discard(encoded.plan);
          throw error;
        }
      }
      const toStore = encoded.outputs.filter((o) => !done.has(o.name));
      try {
        const components = await this.store(toStore, target, key, locationId, earlier?.byName ?? new Map(), request).catch(async (error: unknown) => {
          // Another machine (another lock) published the same media meanwhile: its registration stands.
          if (!isEncodeError(error, 'E_STORAGE_CONFLICT')) throw error;
          const now = await this.earlierRegistration(request.versionId, key, locationId);
          if (now && now.complete.length === now.all.length) throw new PublishedMeanwhile(now.complete);
          throw error;
        });
        throwIfCancelled(signal);
        onProgress?.({ stage: 'register' });
        const registration = this.registrationRequest(components, target, key, locationId, source, encoded.encoderId, encoded.encoderVersion, request);
        const registered = await this.register(registration, key, request);
        await this.announce(registered, request.versionId);
        return {
          versionId: request.versionId,
          skipped: false,
          ...(earlier ? { reason: `re-stored ${toStore.map((o) => o.name).join(', ')} missing from ${locationName}` } : {}),
          locationName,
          components: [...(earlier?.complete ?? []), ...registered],
          commands: encoded.commands,
          key,
        };
      } catch (error) {
        if (!(error instanceof PublishedMeanwhile)) throw error;
        return {
          versionId: request.versionId,
          skipped: true,
          reason: 'published meanwhile by another run with the same source checksum and profile',
          locationName,
          components: error.components,
          commands: [],
          key,
        };
      } finally {
        await this.encodeMedia.discard(encoded.plan);
      }
    } finally {
      await release();
    }
  }

  /**
   * What an earlier publish with this key left: components whose file is recorded in this
   * location AND present there are complete; the rest are re-stored, reusing their ids and
   * creating only the registration rows that are missing.
   */
  private async earlierRegistration(versionId: string, key: RegistrationKey, locationId: string) {
    const found = await this.registry.findRegistration(versionId, key);
    if (!found) return undefined;
    const complete: RegisteredComponent[] = [];
    await Promise.all(
      found.map(async (c) => {
        const here = c.locations.find((l) => l.locationId === locationId && l.resourceIdentifier !== '');
        if (!here || !(await this.storage.exists(here.resourceIdentifier).catch(() => false))) return;
        complete.push({ id: c.id, name: c.name, checksum: c.checksum, size: c.size, locationId, resourceIdentifier: here.resourceIdentifier });
      }),
    );
    complete.sort((a, b) => found.findIndex((f) => f.id === a.id) - found.findIndex((f) => f.id === b.id));
    return { all: found, complete, byName: new Map(found.map((c) => [c.name, c])) };
  }

  /** One digest of the source's bytes (a movie, or a sequence's frames in order); cached by file identity unless `rehash`. */
  private async hashSource(source: MediaSource, algorithm: HashAlgorithm, request: PublishReviewRequest) {
    const options = { ...(request.signal ? { signal: request.signal } : {}), ...(request.rehash ? { rehash: true } : {}) };
    const frames: string[] = [];
    if (source.kind === 'file') frames.push(source.path);
    else for (let f = source.first; f <= source.last; f++) if (!source.missing.includes(f)) frames.push(sequenceFramePath(source, f));
    return this.hasher.hashFiles(frames, algorithm, options);
  }

  /** {project} {sequence} {shot} {asset} {version} from the target, the rest from ftrack (best effort) and the app. */
  private async burninValues(target: ReviewTarget, request: PublishReviewRequest): Promise<Record<string, string | number | undefined>> {
    const fromFtrack = await this.registry.burninValues?.(target).catch(() => ({}));
    return {
      project: target.project,
      sequence: target.parents.length > 1 ? target.parents[target.parents.length - 2] : undefined,
      shot: target.parents.at(-1),
      asset: target.asset,
      version: target.version,
      ...fromFtrack,
      ...request.burninValues,
    };
  }

  /** Upload/copy every output; on any failure remove what this run stored. */
  private async store(
    outputs: EncodedOutput[],
    target: ReviewTarget,
    key: RegistrationKey,
    locationId: string,
    earlier: Map<string, ExistingComponent>,
    request: PublishReviewRequest,
  ): Promise<ComponentToRegister[]> {
    const stored: ComponentToRegister[] = [];
    try {
      for (const output of outputs) {
        throwIfCancelled(request.signal);
        const previous = earlier.get(output.name);
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
        const file = await this.putOnce(output, context, locationId, request);
        const locationExists = previous?.locations.some((l) => l.locationId === locationId && l.resourceIdentifier === file.resourceIdentifier) ?? false;
        stored.push({ componentId, output, stored: file, ...(previous ? { componentExists: true } : {}), ...(locationExists ? { locationExists } : {}) });
        if (file.checksum.algorithm === output.checksum.algorithm && file.checksum.hex !== output.checksum.hex) {
          throw new EncodeError(
            'E_CHECKSUM_MISMATCH',
            `Stored ${output.name} does not match the encoded file (${file.checksum.hex} vs ${output.checksum.hex}).`,
            {
              hint: 'The storage changed the bytes in transit; check the location and retry.',
            },
          );
        }
      }
      return stored;
    } catch (error) {
      await this.unstore(stored, locationId);
      throw toEncodeError(error, 'E_STORAGE_FAILED', request.signal);
    }
  }

  /**
   * Storage never replaces different bytes. A clash with a file that is (or, within the wait,
   * becomes) registered is someone's review media: refuse (run() turns it into a skip when it is
   * this very publish, completed elsewhere). A file no registration names is refused too: it
   * may be another machine's publish between its store and its register.
   */
  private async putOnce(output: EncodedOutput, context: StorageContext, locationId: string, request: PublishReviewRequest): Promise<StoredFile> {
    const options = {
      ...(request.signal ? { signal: request.signal } : {}),
      onProgress: (p: Progress) => request.onProgress?.({ ...p, stage: 'store', item: output.name }),
    };
    try {
      return await this.storage.put(output.path, context, options);
    } catch (error) {
      if (!isEncodeError(error, 'E_STORAGE_CONFLICT')) throw error;
      const identifier = this.storage.resourceIdentifierFor(context);
      if (await this.registeredSoon(locationId, identifier, request)) {
        throw new EncodeError(
          'E_STORAGE_CONFLICT',
          `${this.storage.locationName} already holds registered media at ${identifier}; ${output.name} would replace it.`,
          {
            hint: 'Give the location a structure that is unique per component (include {componentId} or {version}), or publish to another version.',
            details: { location: this.storage.locationName, resourceIdentifier: identifier, output: output.name },
            cause: error,
          },
        );
      }
      // Never remove a file this run did not write: it may be another machine's publish still on its way.
      throw new EncodeError('E_STORAGE_CONFLICT', `${this.storage.locationName} holds another file at ${identifier} that no registration names.`, {
        hint: 'A publish of the same media may still be running elsewhere (re-run when it is done), or one failed before it could remove its file: remove that file, then re-run.',
        details: { location: this.storage.locationName, resourceIdentifier: identifier, output: output.name },
        cause: error,
      });
    }
  }

  /**
   * Whether a file is (or becomes) registered. An unregistered file may be another machine's
   * publish between its store and its register: give it the read-back delays to register
   * before calling the file a leftover.
   */
  private async registeredSoon(locationId: string, identifier: string, request: PublishReviewRequest): Promise<boolean> {
    if (await this.registry.isResourceRegistered(locationId, identifier)) return true;
    for (const delay of request.confirmDelaysMs ?? REGISTER_WAIT_MS) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      throwIfCancelled(request.signal);
      if (await this.registry.isResourceRegistered(locationId, identifier)) return true;
    }
    return false;
  }

  private registrationRequest(
    components: ComponentToRegister[],
    target: ReviewTarget,
    key: RegistrationKey,
    locationId: string,
    source: MediaSource,
    encoderId: string,
    encoderVersion: string,
    request: PublishReviewRequest,
  ): RegistrationRequest {
    return {
      target,
      key,
      locationId,
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
    };
  }

  /**
   * One batch. When it fails without a definite refusal (no response, reset, timeout, 5xx) the
   * batch may have been committed: read it back before deciding. Registered → success, files
   * kept. Absent → roll back the files this run wrote. Unknown → keep the files (deleting them
   * could break a registration that happened) and say that a re-run completes it.
   * The call is never aborted by a cancel: once sent, its outcome is reported as it is.
   */
  private async register(registration: RegistrationRequest, key: RegistrationKey, request: PublishReviewRequest): Promise<RegisteredComponent[]> {
    try {
      return await this.registry.register(registration);
    } catch (error) {
      const failure = toEncodeError(error, 'E_FTRACK_FAILED');
      const verdict = isDefiniteRefusal(failure)
        ? 'absent'
        : await confirmRegistration(this.registry, registration, key, request.confirmDelaysMs ?? CONFIRM_DELAYS_MS);
      if (verdict === 'registered') {
        this.logger.warn('the registration call failed but the registration is on the server; publish complete', { error: failure.message });
        return registeredComponentsOf(registration);
      }
      if (verdict === 'absent') {
        // Refused because another machine registered this very publish first (same ids): its registration stands.
        const now = await this.earlierRegistration(registration.target.versionId, key, registration.locationId).catch(() => undefined);
        if (now && now.complete.length === now.all.length) throw new PublishedMeanwhile(now.complete);
        await this.unstore(registration.components, registration.locationId);
        throw failure;
      }
      throw new EncodeError('E_FTRACK_FAILED', `${failure.message} Whether the registration was committed could not be read back; the stored files are kept.`, {
        hint: 'Run the same publish again when ftrack is reachable: it completes the registration without duplicating anything.',
        details: { ...failure.details, registration: 'unknown' },
        cause: error,
      });
    }
  }

  /**
   * Remove what this run wrote; files that were already there (created: false) stay, and so
   * does a file a registration names meanwhile (another machine's upload of the same bytes
   * to the same id) or one whose registration cannot be checked.
   */
  private async unstore(components: ComponentToRegister[], locationId: string): Promise<void> {
    for (const c of components) {
      if (!c.stored.created) continue;
      if (await this.registry.isResourceRegistered(locationId, c.stored.resourceIdentifier).catch(() => true)) continue;
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
