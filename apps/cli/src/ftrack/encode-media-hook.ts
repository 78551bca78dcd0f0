import { join } from 'node:path';
import { EncodeMedia, ProfileCatalog, type Config, type EncodeProfileInput, type Logger } from '@ftrack-encode/core';
import type { EncodeMediaFn } from '@ftrack-encode/ftrack-local';
import { chooseBackend, createContainer } from '../composition-root.js';

/** What ftrack's own encode_media makes: a review mp4 and an image that becomes the thumbnail. */
const SERVER_ENCODE_PROFILE: EncodeProfileInput = {
  name: 'ftrack-server-encode',
  description: 'The outputs of ftrack encode_media (ftrack-local runs it with our encoder).',
  naming: '{output}.{ext}',
  outputs: [
    { name: 'ftrackreview-mp4', kind: 'video', codec: 'h264', container: 'mp4', crf: 20, preset: 'veryfast', keyframeInterval: 12, size: { maxWidth: 1280, maxHeight: 720, fit: 'within' } },
    { name: 'thumbnail', kind: 'image', codec: 'mjpeg', container: 'jpg', frame: 'middle', size: { maxWidth: 640, maxHeight: 360, fit: 'within' } },
  ],
};

/** ftrack-local's encode_media, run on this machine's best encoder. */
export function encodeMediaHook(config: Config, logger: Logger): EncodeMediaFn {
  const profile = new ProfileCatalog([SERVER_ENCODE_PROFILE]).get('ftrack-server-encode');
  return async ({ sourcePath, outputDir, signal }) => {
    const { backend } = await chooseBackend('auto', config);
    const result = await createContainer(config, backend, logger).resolve(EncodeMedia).run(sourcePath, profile, { outputDir, signal });
    return {
      files: result.outputs.map((o) => ({
        name: o.name,
        path: o.path || join(outputDir, o.name),
        fileType: o.spec.container === 'jpg' ? '.jpg' : '.mp4',
        ...(o.spec.kind === 'video'
          ? { meta: { frameIn: 0, frameOut: o.info.frameCount, frameRate: Number((o.info.frameRate.num / o.info.frameRate.den).toFixed(3)), width: o.info.width, height: o.info.height } }
          : {}),
      })),
    };
  };
}
