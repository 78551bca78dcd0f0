import { EncodeMedia, type Config, type Logger } from '@ftrack-encode/core';
import type { EncodeMediaFn } from '@ftrack-encode/ftrack-local';
import { ftrMetaFor } from '@ftrack-encode/ftrack/registration';
import { chooseBackend, createContainer, profileCatalog } from '../composition-root.js';

/** ftrack-local's encode_media, run on this machine's best encoder. */
export function encodeMediaHook(config: Config, logger: Logger): EncodeMediaFn {
  const profile = profileCatalog(config).get('ftrack-server');
  return async ({ sourcePath, outputDir, signal }) => {
    const { backend } = await chooseBackend('auto', config);
    const result = await (await createContainer(config, backend, logger)).resolve(EncodeMedia).run(sourcePath, profile, { outputDir, signal });
    return {
      files: result.outputs.map((output) => {
        const meta = ftrMetaFor({ output });
        return { name: output.name, path: output.path, fileType: `.${output.spec.container}`, ...(meta ? { meta: JSON.parse(meta) as Record<string, unknown> } : {}) };
      }),
    };
  };
}
