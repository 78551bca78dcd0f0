import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { EncodeError, ProfileCatalog, sourceSettingsFrom, type Config, type EncodeProfileInput, type Logger } from '@ftrack-encode/core';
import { registerNodePlatform, registerSourceSettings } from '@ftrack-encode/node-platform';
// Adapters are imported when a command needs them: `ftrack-encode --help` and `profiles` stay fast.

export type BackendChoice = Config['backend'];
export type EncodeBackend = 'native' | 'wasm';

/** auto: native when an ffmpeg binary is found, wasm otherwise. */
export async function chooseBackend(requested: BackendChoice, config: Config): Promise<{ backend: EncodeBackend; reason: string }> {
  if (requested === 'native' || requested === 'wasm') return { backend: requested, reason: `--backend ${requested}` };
  if (requested !== 'auto') {
    throw new EncodeError('E_USAGE', `Backend "${requested}" is only available for publish.`, { hint: 'Use --backend native or wasm for encode.' });
  }
  const { findFfmpeg } = await import('@ftrack-encode/encoder-native');
  const found = await findFfmpeg({ ...(config.ffmpegPath ? { ffmpegPath: config.ffmpegPath } : {}), ...(config.ffprobePath ? { ffprobePath: config.ffprobePath } : {}) });
  return found
    ? { backend: 'native', reason: `native ffmpeg found at ${found.ffmpeg}` }
    : { backend: 'wasm', reason: 'no ffmpeg binary found (PATH, FFMPEG_PATH); using ffmpeg.wasm' };
}

/** The CLI's one composition root: a child container per command run. */
export async function createContainer(config: Config, backend: EncodeBackend, logger: Logger): Promise<DependencyContainer> {
  const container = rootContainer.createChildContainer();
  registerNodePlatform(container, { logger });
  registerSourceSettings(container, sourceSettingsFrom(config), config.colour.lutCacheDir ? { cacheDir: config.colour.lutCacheDir } : {});
  const tools = {
    ...(config.ffmpegPath ? { ffmpegPath: config.ffmpegPath } : {}),
    ...(config.ffprobePath ? { ffprobePath: config.ffprobePath } : {}),
    threads: config.threads,
  };
  if (backend === 'native') (await import('@ftrack-encode/encoder-native')).registerNativeEncoder(container, tools);
  // The wasm backend probes with the wasm core too, so it works where no ffmpeg is installed.
  else (await import('@ftrack-encode/encoder-wasm')).registerWasmEncoder(container, { threads: config.threads || 1, probe: true });
  return container;
}

export function profileCatalog(config: Config): ProfileCatalog {
  return new ProfileCatalog(config.profiles as EncodeProfileInput[]);
}
