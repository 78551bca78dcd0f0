import type { EncodedOutput } from '../domain/encode-plan.js';
import type { StoredFile } from './storage-accessor.js';

/** The AssetVersion review media is published to, with the names a disk structure needs. */
export interface ReviewTarget {
  versionId: string;
  version: number;
  assetId: string;
  asset: string;
  project: string;
  /** Context names from the project down to the asset's parent (sequence, shot, ...). */
  parents: string[];
}

/** Dedup key: the same source bytes through the same profile give the same review media. */
export interface RegistrationKey {
  sourceChecksum: string;
  profileHash: string;
}

export interface RegisteredComponent {
  id: string;
  name: string;
  locationId: string;
  resourceIdentifier: string;
  checksum: string;
  size: number;
}

/** Where a registered component's file is recorded: one ComponentLocation. */
export interface ComponentLocationRef {
  locationId: string;
  resourceIdentifier: string;
}

/** A component an earlier publish with the same key registered, with every location it is recorded in. */
export interface ExistingComponent {
  id: string;
  name: string;
  checksum: string;
  size: number;
  locations: ComponentLocationRef[];
}

export interface Provenance {
  sourcePath: string;
  sourceChecksum: string;
  profileName: string;
  profileHash: string;
  encoderId: string;
  encoderVersion: string;
}

export interface ComponentToRegister {
  /** Generated before storing: ftrack.server stores files under the component id. */
  componentId: string;
  output: EncodedOutput;
  stored: StoredFile;
  /** The FileComponent (with its metadata) is registered already: do not create it again. */
  componentExists?: boolean;
  /** Its ComponentLocation in this location is registered already (only the file was missing). */
  locationExists?: boolean;
}

export interface RegistrationRequest {
  target: ReviewTarget;
  key: RegistrationKey;
  locationId: string;
  provenance: Provenance;
  components: ComponentToRegister[];
  /** Component (by name) that becomes the version's thumbnail. */
  thumbnailName?: string;
}

/** A component that can serve as an encode source (raw upload, plate, ...). */
export interface SourceComponent {
  componentId: string;
  name: string;
  fileType: string;
  size: number;
  versionId: string | null;
  locations: { locationId: string; locationName: string; resourceIdentifier: string }[];
}

export interface ReviewRegistry {
  /** E_FTRACK_NOT_FOUND when the version does not exist. */
  resolveTarget(versionId: string): Promise<ReviewTarget>;
  /** What an earlier publish with the same key registered on the version, if anything. */
  findRegistration(versionId: string, key: RegistrationKey): Promise<ExistingComponent[] | undefined>;
  /**
   * Everything in ONE batched call: all or nothing. Creates only what the request marks as
   * missing (componentExists / locationExists), so a re-run never duplicates a ComponentLocation.
   */
  register(request: RegistrationRequest): Promise<RegisteredComponent[]>;
  /**
   * Burn-in tokens only ftrack knows, best effort: `task`, `user`-independent names, and the
   * custom attributes of the asset's parent as `shot.custom.<key>`. Unknown ones are left out.
   */
  burninValues?(target: ReviewTarget): Promise<Record<string, string>>;
  /** Whether any component is recorded at this identifier in this location (a file ftrack relies on). */
  isResourceRegistered(locationId: string, resourceIdentifier: string): Promise<boolean>;
  /** Location id by name (ftrack.server, a disk location ...). */
  locationId(name: string): Promise<string>;
  /** --version: the version's source component (by name or largest non-review); --component: that one. */
  findSourceComponent(ref: { versionId: string; name?: string } | { componentId: string }): Promise<SourceComponent>;
}
