import type { AudioStreamInfo } from '@ftrack-encode/core';
import { inputPathArg } from './probe-args.js';

/** Loudest sample under this is silence (AAC-coded digital silence measures about -91 dBFS). */
export const SILENCE_DBFS = -80;

/**
 * Seconds of audio the first level scan decodes. A track heard in them is not silent, whatever
 * follows, so a long movie's audio is decoded whole only when a track is silent at its start.
 */
export const LEVEL_WINDOW_SECONDS = 30;

/** One pass of volumedetect over every audio track of a file (argv without the binary); `seconds` limits it to the start. */
export function audioLevelArgs(path: string, tracks: number, options: { seconds?: number } = {}): string[] {
  const graph = Array.from({ length: tracks }, (_, i) => `[0:a:${i}]volumedetect[l${i}]`).join(';');
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-v',
    'info',
    ...(options.seconds === undefined ? [] : ['-t', String(options.seconds)]),
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

/** Runs one level scan (audioLevelArgs with these options): its log, or undefined when it failed. */
export type LevelScan = (options: { seconds?: number }) => Promise<string | undefined>;

/**
 * Marks silent tracks, exactly, decoding as little as it can: the first LEVEL_WINDOW_SECONDS
 * first (`windowed`, when the caller already started that scan), and the whole file only when a
 * track is silent there and the source is longer. Levels are a refinement: a failed scan leaves
 * the tracks unmarked.
 */
export async function scanAudioLevels(
  audio: readonly AudioStreamInfo[],
  durationSeconds: number,
  scan: LevelScan,
  windowed: Promise<string | undefined> = scan({ seconds: LEVEL_WINDOW_SECONDS }),
): Promise<AudioStreamInfo[]> {
  const first = await windowed;
  if (first === undefined) return [...audio];
  const marked = withAudioLevels(audio, first);
  // Unknown duration: the window may not have been all of it.
  if (!marked.some((a) => a.silent) || durationSeconds <= LEVEL_WINDOW_SECONDS) return marked;
  const whole = await scan({});
  return whole === undefined ? [...audio] : withAudioLevels(audio, whole);
}
