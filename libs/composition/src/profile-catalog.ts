import { ProfileCatalog, type Config, type EncodeProfileInput } from '@ftrack-encode/core';

/** Built-in profiles plus the config's own (validated when the catalog is built). */
export function profileCatalog(config: Config): ProfileCatalog {
  return new ProfileCatalog(config.profiles as EncodeProfileInput[]);
}
