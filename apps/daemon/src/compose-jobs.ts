import type { Config } from '@ftrack-encode/core';
import { resolveCredentials, type FtrackCredentials } from '@ftrack-encode/ftrack';

/** ftrack credentials from config + FTRACK_* env, or undefined when none are configured (encode-only worker). */
export function ftrackCredentials(config: Config): FtrackCredentials | undefined {
  try {
    return resolveCredentials({ ...config.ftrack });
  } catch {
    return undefined;
  }
}
