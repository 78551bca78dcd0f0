import type { Checksum } from '../domain/encode-plan.js';
import type { RunOptions } from './progress.js';

/** Where in the production a stored file belongs; used by structured locations. */
export interface StorageContext {
  componentId: string;
  componentName: string;
  /** File extension without dot. */
  extension: string;
  /** project / sequence / shot / asset names and the version number, when known. */
  project?: string;
  sequence?: string;
  shot?: string;
  asset?: string;
  version?: number;
}

export interface StoredFile {
  /** What ftrack records in ComponentLocation.resource_identifier. */
  resourceIdentifier: string;
  checksum: Checksum;
  size: number;
  /**
   * False when the identical bytes were already at the identifier (a re-run): this put wrote
   * nothing, so a rollback must not remove the file.
   */
  created: boolean;
}

/**
 * A place files live that ftrack knows as a Location. `put` is atomic: readers see the
 * whole file or nothing; a failure or cancel leaves nothing at the final identifier.
 * `put` never replaces different bytes: an identifier that already holds another file fails
 * with E_STORAGE_CONFLICT (the same bytes succeed with `created: false`).
 */
export interface StorageAccessor {
  /** ftrack Location name, e.g. ftrack.server. */
  readonly locationName: string;
  /** Resolved lazily from ftrack or fixed by config. */
  locationId(): Promise<string>;
  /** Identifier the file would get (without storing it). */
  resourceIdentifierFor(context: StorageContext): string;
  put(localPath: string, context: StorageContext, options?: RunOptions): Promise<StoredFile>;
  /** Stream the stored file to a local path (atomically). */
  get(resourceIdentifier: string, localPath: string, options?: RunOptions): Promise<void>;
  exists(resourceIdentifier: string): Promise<boolean>;
  remove(resourceIdentifier: string): Promise<void>;
}
