/**
 * Raw ftrack JSON API calls for adapters that speak ftrack's actions themselves (the
 * server-side encoder's encode_media, Job queries). One batch per call; failures are
 * EncodeErrors without the key.
 */
export interface FtrackApi {
  call<T = unknown>(what: string, operations: Record<string, unknown>[]): Promise<T[]>;
}
