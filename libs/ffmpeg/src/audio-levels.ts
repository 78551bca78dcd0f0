import type { AudioStreamInfo } from '@ftrack-encode/core';
import { inputPathArg } from './probe.js';

/** Loudest sample under this is silence (AAC-coded digital silence measures about -91 dBFS). */
export const SILENCE_DBFS = -80;

/** One pass of volumedetect over every audio track of a file (argv without the binary). */
export function audioLevelArgs(path: string, tracks: number): string[] {
  const graph = Array.from({ length: tracks }, (_, i) => `[0:a:${i}]volumedetect[l${i}]`).join(';');
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-v',
    'info',
    '-i',
    inputPathArg(path),
    '-vn',
    '-sn',
    '-dn',
    '-filter_complex',
    graph,
    ...Array.from({ length: tracks }, (_, i) => ['-map', `[l${i}]`]).flat(),
    '-f',
    'null',
    '-',
  ];
}

/** volumedetect's log -> the tracks with `silent` set where the loudest sample is under SILENCE_DBFS. */
export function withAudioLevels(audio: readonly AudioStreamInfo[], log: string): AudioStreamInfo[] {
  const levels = new Map<number, number>();
  // Native stderr names the filter instance ([Parsed_volumedetect_1 @ ...]); ffmpeg.wasm's log callback
  // drops that prefix, and then the reports come in graph order.
  let order = 0;
  for (const match of log.matchAll(/^(?:.*Parsed_volumedetect_(\d+)\b.*)?max_volume: (-?inf|-?[\d.]+) dB/gm)) {
    const index = match[1] === undefined ? order : Number(match[1]);
    order++;
    levels.set(index, match[2]!.endsWith('inf') ? Number.NEGATIVE_INFINITY : Number(match[2]));
  }
  return audio.map((a, i) => {
    const level = levels.get(i);
    return level !== undefined && level < SILENCE_DBFS ? { ...a, silent: true } : a;
  });
}
