import type { DependencyContainer } from 'tsyringe';
import { TOKENS, type Logger, type SourceSettings } from '@ftrack-encode/core';
import { OcioBaker, type OcioBakerOptions } from './ocio-baker.js';
import { NodeHasher } from './node-hasher.js';
import { CachingHasher, defaultChecksumCacheDir } from './checksum-cache.js';
import { NodeFileSystem } from './node-file-system.js';
import { StreamLogger } from './stream-logger.js';

/**
 * Hasher, FileSystem and Logger for Node processes (CLI, daemon, farm worker). Source checksums
 * are cached by file identity (CachingHasher) unless `checksumCacheDir` is false.
 */
export function registerNodePlatform(container: DependencyContainer, options: { logger?: Logger; checksumCacheDir?: string | false } = {}): void {
  const hasher = new NodeHasher();
  container.register(TOKENS.Hasher, {
    useValue: options.checksumCacheDir === false ? hasher : new CachingHasher(hasher, options.checksumCacheDir ?? defaultChecksumCacheDir()),
  });
  container.register(TOKENS.FileSystem, { useClass: NodeFileSystem });
  container.register(TOKENS.Logger, { useValue: options.logger ?? new StreamLogger({ level: 'warn' }) });
}

/** How sources are interpreted for this run, and the OCIO baker (ociobakelut) that serves it. */
export function registerSourceSettings(container: DependencyContainer, settings: SourceSettings, baker: OcioBakerOptions = {}): void {
  container.register(TOKENS.SourceSettings, { useValue: settings });
  container.register(TOKENS.ColourBaker, { useValue: new OcioBaker(baker) });
}
