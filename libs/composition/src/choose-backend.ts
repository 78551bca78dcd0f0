import { EncodeError, type Config } from '@ftrack-encode/core';

export type BackendChoice = Config['backend'];
/** What actually encodes: auto is resolved before anything is registered. */
export type Backend = Exclude<BackendChoice, 'auto'>;
/** The backends that run ffmpeg on this machine (and probe for the others). */
export type LocalBackend = 'native' | 'wasm';

export interface ChosenBackend {
  backend: Backend;
  /** Probes sources and validates outputs here, whatever encodes them. */
  local: LocalBackend;
  /** Why, in words, for the "backend: ..." note. */
  reason: string;
}

function toolPaths(config: Config) {
  return { ...(config.ffmpegPath ? { ffmpegPath: config.ffmpegPath } : {}), ...(config.ffprobePath ? { ffprobePath: config.ffprobePath } : {}) };
}

/** native when an ffmpeg binary is found (FFMPEG_PATH, then PATH), ffmpeg.wasm otherwise. */
async function bestLocal(config: Config): Promise<{ local: LocalBackend; reason: string }> {
  const { findFfmpeg } = await import('@ftrack-encode/encoder-native');
  const found = await findFfmpeg(toolPaths(config));
  return found
    ? { local: 'native', reason: `native ffmpeg found at ${found.ffmpeg}` }
    : { local: 'wasm', reason: 'no ffmpeg binary found (PATH, FFMPEG_PATH); using ffmpeg.wasm' };
}

/** Resolve `auto` and pick the local probe for remote backends (farm, ftrack). */
export async function chooseBackend(requested: BackendChoice, config: Config): Promise<ChosenBackend> {
  if (requested === 'native' || requested === 'wasm') return { backend: requested, local: requested, reason: `--backend ${requested}` };
  const { local, reason } = await bestLocal(config);
  if (requested === 'auto') return { backend: local, local, reason };
  if (requested === 'farm' || requested === 'ftrack') return { backend: requested, local, reason: `--backend ${requested} (probing with ${local})` };
  throw new EncodeError('E_USAGE', `Unknown backend "${String(requested)}".`, { hint: 'Use auto, native, wasm, farm or ftrack.' });
}

export { toolPaths };
