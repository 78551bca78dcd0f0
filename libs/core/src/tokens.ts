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
} as const;
