import { execa } from 'execa';
import { type Codec, type EncoderCapabilities } from '@ftrack-encode/core';
import { hardwareSetup } from '@ftrack-encode/ffmpeg';

/** Which ffmpeg encoder makes which profile codec (first found wins). */
export const CODEC_ENCODERS: Record<Codec, string[]> = {
  h264: ['libx264'],
  hevc: ['libx265'],
  vp9: ['libvpx-vp9'],
  vp8: ['libvpx'],
  av1: ['libsvtav1'],
  prores: ['prores_ks'],
  dnxhr: ['dnxhd'],
  mjpeg: ['mjpeg'],
  png: ['png'],
};

/** Hardware encoders the argv builder knows how to drive. */
const HARDWARE = /^(h264|hevc)_(nvenc|qsv|vaapi)$/;

/** Encoder names from `ffmpeg -hide_banner -encoders` (lines like ` V....D libx264  libx264 H.264 ...`). */
export function parseEncoderList(stdout: string): string[] {
  const names: string[] = [];
  let started = false;
  for (const line of stdout.split(/\r?\n/)) {
    if (/^\s*-{6}\s*$/.test(line)) {
      started = true;
      continue;
    }
    const match = /^\s([VAS.][F.][S.][X.][B.][D.])\s+(\S+)/.exec(line);
    if (started && match) names.push(match[2]!);
  }
  return names;
}

/** "ffmpeg version 5.1.9-0+deb12u1 Copyright ..." -> "5.1.9-0+deb12u1". */
export function parseVersion(stdout: string): string {
  return /ffmpeg version (\S+)/.exec(stdout)?.[1] ?? 'unknown';
}

export function codecSupport(encoders: readonly string[]): Pick<EncoderCapabilities, 'codecs' | 'unsupported'> {
  const codecs: Codec[] = [];
  const unsupported: EncoderCapabilities['unsupported'] = [];
  for (const [codec, names] of Object.entries(CODEC_ENCODERS) as [Codec, string[]][]) {
    if (names.some((n) => encoders.includes(n))) codecs.push(codec);
    else unsupported.push({ codec, reason: `this ffmpeg build has no ${names.join('/')} encoder` });
  }
  return { codecs, unsupported };
}

export function hardwareCandidates(encoders: readonly string[]): string[] {
  return encoders.filter((n) => HARDWARE.test(n));
}

/** A hardware encoder counts only once it has encoded a frame on this machine. */
export async function proveHardware(ffmpeg: string, encoder: string, timeoutMs = 15_000): Promise<boolean> {
  const setup = hardwareSetup(encoder, encoder.split('_')[0]!);
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', ...(setup?.globalArgs ?? []),
    '-f', 'lavfi', '-i', 'testsrc2=size=256x256:rate=25', '-frames:v', '1',
    '-vf', setup?.uploadFilter ?? 'format=yuv420p', '-c:v', encoder, '-f', 'null', '-'];
  const result = await execa(ffmpeg, args, { reject: false, timeout: timeoutMs, stdin: 'ignore' });
  return result.exitCode === 0 && !result.timedOut;
}

const cache = new Map<string, Promise<EncoderCapabilities>>();

/** Capabilities of one ffmpeg binary: cached per binary path + version for the life of the process. */
export async function readCapabilities(ffmpeg: string): Promise<EncoderCapabilities> {
  const version = parseVersion((await execa(ffmpeg, ['-hide_banner', '-version'], { stdin: 'ignore' })).stdout);
  const key = `${ffmpeg}\0${version}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = (async () => {
      const { stdout } = await execa(ffmpeg, ['-hide_banner', '-encoders'], { stdin: 'ignore' });
      const encoders = parseEncoderList(stdout);
      const hardware: string[] = [];
      for (const candidate of hardwareCandidates(encoders)) if (await proveHardware(ffmpeg, candidate)) hardware.push(candidate);
      const support = codecSupport(encoders);
      return {
        id: 'native',
        version,
        ...support,
        encoders: encoders.filter((e) => Object.values(CODEC_ENCODERS).flat().includes(e) || HARDWARE.test(e) || /^(aac|libopus|libvorbis)$/.test(e)),
        hardware,
        sequences: true,
        fallbacks: support.codecs.includes('vp8') && !support.codecs.includes('vp9') ? { vp9: 'vp8' } : {},
      } satisfies EncoderCapabilities;
    })();
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}
