import type { ProbeJson, ProbeStream } from '../probe.js';

/** A container reader's answer: ffprobe's JSON for the file (parseProbe reads it), and the moov position of an MP4. */
export interface ContainerFacts {
  json: ProbeJson;
  moovBeforeMdat?: boolean;
}

/** Seconds as ffprobe prints them (`%f`). */
export function seconds(value: number): string {
  return value.toFixed(6);
}

/**
 * A movie's answer: its streams and the format as libavformat sums them up (duration from the
 * container in µs, start = the earliest stream start).
 */
export function movieFacts(formatName: string, streams: ProbeStream[], fileSize: number, durationUs: number): ProbeJson {
  return {
    streams,
    format: {
      format_name: formatName,
      nb_streams: streams.length,
      duration: seconds(durationUs / 1e6),
      start_time: seconds(Math.min(...streams.map((s) => Number(s.start_time)))),
      bit_rate: formatBitRate(fileSize, durationUs),
    },
  };
}

/** The format's bit rate as libavformat estimates it when the container has none: the file's bits over its duration. */
export function formatBitRate(fileSize: number, durationUs: number): string | undefined {
  return durationUs > 0 ? String(Math.trunc((fileSize * 8 * 1e6) / durationUs)) : undefined;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** "num/den" (or with ":") in lowest terms, as libavformat prints rates and aspect ratios. */
export function ratio(num: number, den: number, separator: '/' | ':' = '/'): string {
  const d = gcd(num, den) || 1;
  return `${num / d}${separator}${den / d}`;
}
