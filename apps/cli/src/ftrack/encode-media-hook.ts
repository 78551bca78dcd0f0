import { EncodeMedia, type Config, type Logger } from '@ftrack-encode/core';
import type { EncodeMediaFn } from '@ftrack-encode/ftrack-local';
import { ftrMetaFor } from '@ftrack-encode/ftrack-protocol';
import { createScope, profileCatalog } from '@ftrack-encode/composition';

/** ftrack-local's encode_media, run on this machine's best encoder. */
export function encodeMediaHook(config: Config, logger: Logger): EncodeMediaFn {
  const profile = profileCatalog(config).get('ftrack-server');
  return async ({ sourcePath, outputDir, signal }) => {
    const scope = await createScope(config, { logger, backend: 'auto' });
    const result = await scope.container
      .resolve(EncodeMedia)
      .run(sourcePath, profile, { outputDir, ...(signal ? { signal } : {}) })
      .finally(() => scope.close());
    return {
      files: result.outputs.map((output) => {
        const meta = ftrMetaFor({ output });
        return {
          name: output.name,
          path: output.path,
          fileType: `.${output.spec.container}`,
          ...(meta ? { meta: JSON.parse(meta) as Record<string, unknown> } : {}),
        };
      }),
    };
  };
}
