import type { InjectionToken } from 'tsyringe';
import type { Encoder } from './ports/encoder.js';
import type { MediaProbe } from './ports/media-probe.js';
import type { Hasher } from './ports/hasher.js';
import type { FileSystem } from './ports/file-system.js';
import type { Logger } from './ports/logger.js';
import type { StorageAccessor } from './ports/storage-accessor.js';
import type { ReviewRegistry } from './ports/review-registry.js';
import type { EventPublisher } from './ports/event-publisher.js';
import type { PublishLock } from './ports/publish-lock.js';
import type { FtrackApi } from './ports/ftrack-api.js';
import type { QualityMeter } from './ports/quality-meter.js';
import type { QcRenderer } from './ports/qc-renderer.js';
import type { ColourBaker } from './ports/colour-baker.js';
import type { SourceSettings } from './domain/source-settings.js';

/** DI tokens. Symbols, so two copies of a port never collide by name. */
export const TOKENS = {
  Encoder: Symbol('Encoder') as InjectionToken<Encoder>,
  MediaProbe: Symbol('MediaProbe') as InjectionToken<MediaProbe>,
  Hasher: Symbol('Hasher') as InjectionToken<Hasher>,
  FileSystem: Symbol('FileSystem') as InjectionToken<FileSystem>,
  Logger: Symbol('Logger') as InjectionToken<Logger>,
  StorageAccessor: Symbol('StorageAccessor') as InjectionToken<StorageAccessor>,
  ReviewRegistry: Symbol('ReviewRegistry') as InjectionToken<ReviewRegistry>,
  EventPublisher: Symbol('EventPublisher') as InjectionToken<EventPublisher>,
  PublishLock: Symbol('PublishLock') as InjectionToken<PublishLock>,
  FtrackApi: Symbol('FtrackApi') as InjectionToken<FtrackApi>,
  /** Optional: the quality gate's measurement, registered by local encoders. */
  QualityMeter: Symbol('QualityMeter') as InjectionToken<QualityMeter>,
  /** Optional: the visual QC report's pictures and per-frame scores, registered by the native encoder. */
  QcRenderer: Symbol('QcRenderer') as InjectionToken<QcRenderer>,
  /** Optional: OCIO baking on the host. Without it an OCIO config fails with E_UNSUPPORTED. */
  ColourBaker: Symbol('ColourBaker') as InjectionToken<ColourBaker>,
  /** Optional: how sources are interpreted (colour, sequence rate, audio tracks) for this run. */
  SourceSettings: Symbol('SourceSettings') as InjectionToken<SourceSettings>,
} as const;
