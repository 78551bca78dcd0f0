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
  /** True when the component exists and only its ComponentLocation is missing. */
  existing?: boolean;
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
  findRegistration(versionId: string, key: RegistrationKey): Promise<RegisteredComponent[] | undefined>;
  /** Everything in ONE batched call: all or nothing. */
  register(request: RegistrationRequest): Promise<RegisteredComponent[]>;
  /** Location id by name (ftrack.server, a disk location ...). */
  locationId(name: string): Promise<string>;
  /** --version: the version's source component (by name or largest non-review); --component: that one. */
  findSourceComponent(ref: { versionId: string; name?: string } | { componentId: string }): Promise<SourceComponent>;
}
