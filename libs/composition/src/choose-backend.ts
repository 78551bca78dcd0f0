import { EncodeError, type Config, type EncoderDescriptor } from '@ftrack-encode/core';
import { ENCODERS } from './adapters.js';
import { backendChoices, sharedSettings } from './adapter-config.js';

export interface ChosenBackend {
  /** What encodes. */
  backend: string;
  /** Probes sources and validates outputs here, whatever encodes them. */
  local: string;
  /** Why, in words, for the "backend: ..." note. */
  reason: string;
}

/** The first local encoder (registry order) that can run here. */
async function bestLocal(config: Config): Promise<{ descriptor: EncoderDescriptor<never>; reason: string }> {
  const shared = sharedSettings(config);
  const skipped: string[] = [];
  for (const descriptor of ENCODERS.filter((e) => e.capabilities.local)) {
    const verdict = descriptor.available ? await descriptor.available(shared) : { ok: true, reason: descriptor.id };
    if (verdict.ok) return { descriptor, reason: [...skipped, verdict.reason].join('; ') };
    skipped.push(verdict.reason);
  }
  throw new EncodeError('E_ENCODER_MISSING', `No encoder can run on this machine (${skipped.join('; ')}).`, {
    hint: 'Install ffmpeg (apt-get install ffmpeg).',
  });
}

/** Resolve `auto` and pick the local probe for remote backends (farm, ftrack). */
export async function chooseBackend(requested: string, config: Config): Promise<ChosenBackend> {
  const descriptor = ENCODERS.find((e) => e.id === requested);
  if (requested !== 'auto' && !descriptor) {
    throw new EncodeError('E_USAGE', `Unknown backend "${requested}".`, { hint: `Use ${backendChoices('publish')}.` });
  }
  if (descriptor?.capabilities.local) return { backend: descriptor.id, local: descriptor.id, reason: `--backend ${descriptor.id}` };
  const best = await bestLocal(config);
  if (!descriptor) return { backend: best.descriptor.id, local: best.descriptor.id, reason: best.reason };
  return { backend: descriptor.id, local: best.descriptor.id, reason: `--backend ${descriptor.id} (probing with ${best.descriptor.id})` };
}
