import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Codec, type EncoderCapabilities } from '@ftrack-encode/core';
import { CODEC_ENCODERS, hardwareSetup } from '@ftrack-encode/ffmpeg';

export { CODEC_ENCODERS };

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
  for (const [codec, names] of Object.entries(CODEC_ENCODERS) as [Codec, readonly string[]][]) {
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
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    ...(setup?.globalArgs ?? []),
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=256x256:rate=25',
    '-frames:v',
    '1',
    '-vf',
    setup?.uploadFilter ?? 'format=yuv420p',
    '-c:v',
    encoder,
    '-f',
    'null',
    '-',
  ];
  const { execa } = await import('execa');
  const result = await execa(ffmpeg, args, { reject: false, timeout: timeoutMs, stdin: 'ignore' });
  return result.exitCode === 0 && !result.timedOut;
}

const cache = new Map<string, Promise<EncoderCapabilities>>();

/** ~/.cache/ftrack-encode (or $XDG_CACHE_HOME): proving hardware encoders costs seconds, once per binary. */
function diskCacheDir(): string {
  return join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'ftrack-encode');
}

const DISK_CACHE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

async function probeCapabilities(ffmpeg: string): Promise<EncoderCapabilities> {
  const { execa } = await import('execa');
  const version = parseVersion((await execa(ffmpeg, ['-hide_banner', '-version'], { stdin: 'ignore' })).stdout);
  const { stdout } = await execa(ffmpeg, ['-hide_banner', '-encoders'], { stdin: 'ignore' });
  const encoders = parseEncoderList(stdout);
  const candidates = hardwareCandidates(encoders);
  const proven = await Promise.all(candidates.map((candidate) => proveHardware(ffmpeg, candidate)));
  const support = codecSupport(encoders);
  return {
    id: 'native',
    version,
    ...support,
    encoders: encoders.filter((e) => Object.values(CODEC_ENCODERS).flat().includes(e) || HARDWARE.test(e) || /^(aac|libopus|libvorbis)$/.test(e)),
    hardware: candidates.filter((_, i) => proven[i]),
    sequences: true,
    fallbacks: support.codecs.includes('vp8') && !support.codecs.includes('vp9') ? { vp9: 'vp8' } : {},
  } satisfies EncoderCapabilities;
}

/**
 * Capabilities of one ffmpeg binary, cached in memory and on disk keyed by the binary's path,
 * size and mtime (a new build re-probes), so a CLI run does not re-prove hardware encoders.
 */
export async function readCapabilities(ffmpeg: string, options: { diskCache?: boolean } = {}): Promise<EncoderCapabilities> {
  const binary = await stat(ffmpeg);
  const key = `${ffmpeg}\0${binary.size}\0${binary.mtimeMs}`;
  let pending = cache.get(key);
  if (!pending) {
    const file = join(diskCacheDir(), `capabilities-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`);
    pending = (async () => {
      if (options.diskCache !== false) {
        const cached = await readFile(file, 'utf8').then(
          (t) => JSON.parse(t) as { at: number; capabilities: EncoderCapabilities },
          () => undefined,
        );
        if (cached && Date.now() - cached.at < DISK_CACHE_MAX_AGE_MS) return cached.capabilities;
      }
      const capabilities = await probeCapabilities(ffmpeg);
      if (options.diskCache !== false) {
        await mkdir(dirname(file), { recursive: true })
          .then(() => writeFile(`${file}.${process.pid}`, JSON.stringify({ at: Date.now(), capabilities })))
          .then(() => rename(`${file}.${process.pid}`, file))
          .catch(() => undefined); // a cache that cannot be written only costs time
      }
      return capabilities;
    })();
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}
