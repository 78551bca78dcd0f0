import { access, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileSystem } from '@ftrack-encode/core';

/** The FileSystem port on the local disk, for suites that run a use case without node-platform. */
export const nodeFs: FileSystem = {
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true }),
  size: async (path) => (await stat(path)).size,
  exists: (path) =>
    access(path).then(
      () => true,
      () => false,
    ),
  ensureWritableDir: async (path) => void (await mkdir(path, { recursive: true })),
  tempDir: (prefix) => mkdtemp(join(tmpdir(), prefix)),
  removeDir: (path) => rm(path, { recursive: true, force: true }),
};
