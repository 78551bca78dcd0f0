import type { Codec, EncoderCapabilities } from '@ftrack-encode/core';
import { CODEC_ENCODERS } from '@ftrack-encode/ffmpeg';

/** Why VP9 is refused even though the build lists libvpx-vp9. */
export const VP9_UNSUPPORTED_REASON = 'VP9 crashes in ffmpeg.wasm 0.12 (memory access out of bounds, upstream #679)';

/** The encoders buildEncodeInvocation uses: the one table every backend shares. */
export const ENCODERS_FOR_CODEC = CODEC_ENCODERS;

/** Listed by the build but known to crash it: refused up front, with a fallback. */
const KNOWN_BROKEN: Partial<Record<Codec, { reason: string; fallback?: Codec }>> = {
  vp9: { reason: VP9_UNSUPPORTED_REASON, fallback: 'vp8' },
};

/** Filters every plan's graph uses; without them nothing can be encoded. */
const REQUIRED_FILTERS = ['scale', 'format'];

/** Image decoders that make image sequences useful. */
const SEQUENCE_DECODERS = ['exr', 'dpx', 'png', 'tiff', 'mjpeg'];

/** Names from `ffmpeg -encoders` / `-decoders` output (" V....D libx264  libx264 H.264 ..."). */
export function parseCodecListing(lines: readonly string[]): string[] {
  const names: string[] = [];
  for (const line of lines) {
    const match = /^ ([VAS][F.][S.][X.][B.][D.]) (\S+)\s/.exec(line);
    if (match?.[2] && match[2] !== '=') names.push(match[2]);
  }
  return names;
}

/** Names from `ffmpeg -filters` output (" TSC scale  V->V  Scale the input video size ..."). */
export function parseFilterListing(lines: readonly string[]): string[] {
  const names: string[] = [];
  for (const line of lines) {
    const match = /^ ([T.][S.][C.]) (\S+)\s+\S+->\S+/.exec(line);
    if (match?.[2]) names.push(match[2]);
  }
  return names;
}

export interface WasmBuildListing {
  id: string;
  version: string;
  encoders: string[];
  decoders: string[];
  filters: string[];
  maxInputBytes: number;
}

/** What this ffmpeg.wasm build can do, from what it lists, minus what is known to crash it. */
export function wasmCapabilities(build: WasmBuildListing): EncoderCapabilities {
  const encoders = new Set(build.encoders);
  const missingFilters = REQUIRED_FILTERS.filter((f) => !build.filters.includes(f));
  const codecs: Codec[] = [];
  const unsupported: EncoderCapabilities['unsupported'] = [];
  const fallbacks: Partial<Record<Codec, Codec>> = {};
  for (const [codec, names] of Object.entries(ENCODERS_FOR_CODEC) as [Codec, readonly string[]][]) {
    const broken = KNOWN_BROKEN[codec];
    if (missingFilters.length > 0) unsupported.push({ codec, reason: `the build lacks the ${missingFilters.join(', ')} filter(s)` });
    else if (!names.some((n) => encoders.has(n))) unsupported.push({ codec, reason: `no ${names.join('/')} encoder in this build` });
    else if (broken) unsupported.push({ codec, reason: broken.reason });
    else codecs.push(codec);
  }
  for (const [codec, broken] of Object.entries(KNOWN_BROKEN) as [Codec, { fallback?: Codec }][]) {
    if (broken.fallback && codecs.includes(broken.fallback)) fallbacks[codec] = broken.fallback;
  }
  return {
    id: build.id,
    version: build.version,
    codecs,
    unsupported,
    encoders: build.encoders,
    hardware: [],
    sequences: SEQUENCE_DECODERS.some((d) => build.decoders.includes(d)),
    maxInputBytes: build.maxInputBytes,
    fallbacks,
    // Stereo libopus crashes ffmpeg.wasm 0.12 (memory access out of bounds; mono works): WebM audio is Vorbis there.
    ...(encoders.has('libvorbis') ? { audioFallbacks: { opus: 'vorbis' } } : {}),
  };
}
