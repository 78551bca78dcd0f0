import { access } from 'node:fs/promises';
import { execa } from 'execa';
import { check, type HealthCheck, type SharedSettings } from '@ftrack-encode/core';
import { findFfmpeg } from './find-ffmpeg.js';
import { parseEncoderList, parseVersion } from './capabilities.js';

/** What the built-in profiles and features use, and what is lost without each. */
const ENCODERS: [string, string][] = [
  ['libx264', 'H.264 review mp4s'],
  ['libvpx-vp9', 'ftrackreview-webm (VP9)'],
  ['aac', 'audio in mp4s'],
  ['libopus', 'audio in webm'],
  ['mjpeg', 'thumbnails and stills'],
];
const FILTERS: [string, string][] = [
  ['zscale', 'colour conversion of scene-linear and HDR sources'],
  ['lut3d', 'OCIO display transforms'],
  ['drawtext', 'burn-ins and slates'],
];
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/** "Filters:\n ... T.C zscale  V->V  Apply resizing..." -> filter names. */
export function parseFilterList(stdout: string): string[] {
  return stdout
    .split(/\r?\n/)
    .map((line) => /^\s[T.][S.][C.]\s+(\S+)\s+\S+->\S+/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

export async function diagnoseNative(shared: SharedSettings, inUse: boolean): Promise<HealthCheck[]> {
  const missing = inUse ? check.fail : check.warn;
  const found = await findFfmpeg({
    ...(shared.ffmpegPath ? { ffmpegPath: shared.ffmpegPath } : {}),
    ...(shared.ffprobePath ? { ffprobePath: shared.ffprobePath } : {}),
  }).catch(() => undefined);
  if (!found) {
    return [
      missing(
        'native: ffmpeg',
        `no ffmpeg/ffprobe found (${shared.ffmpegPath ?? process.env['FFMPEG_PATH'] ?? 'PATH'})`,
        'apt-get install ffmpeg, or set FFMPEG_PATH/FFPROBE_PATH (the wasm backend works without it)',
      ),
    ];
  }
  const run = (args: string[]) => execa(found.ffmpeg, ['-hide_banner', ...args], { stdin: 'ignore', reject: false, timeout: 20_000 });
  const [version, encoders, filters] = await Promise.all([run(['-version']), run(['-encoders']), run(['-filters'])]);
  const checks = [
    check.ok('native: ffmpeg', `${found.ffmpeg} ${parseVersion(`ffmpeg version ${String(version.stdout).replace(/^ffmpeg version /, '')}`)}`),
    check.ok('native: ffprobe', found.ffprobe),
  ];
  const haveEncoders = parseEncoderList(String(encoders.stdout));
  for (const [name, purpose] of ENCODERS) {
    checks.push(
      haveEncoders.includes(name)
        ? check.ok(`native: encoder ${name}`, purpose)
        : missing(`native: encoder ${name}`, `missing: no ${purpose}`, 'Install an ffmpeg build with it (Debian: apt-get install ffmpeg).'),
    );
  }
  const haveFilters = parseFilterList(String(filters.stdout));
  for (const [name, purpose] of FILTERS) {
    checks.push(
      haveFilters.includes(name)
        ? check.ok(`native: filter ${name}`, purpose)
        : check.warn(`native: filter ${name}`, `missing: no ${purpose}`, 'Install an ffmpeg build with it (Debian: apt-get install ffmpeg).'),
    );
  }
  checks.push(
    await access(FONT).then(
      () => check.ok('native: burn-in font', FONT),
      () => check.warn('native: burn-in font', `${FONT} not found`, 'apt-get install fonts-dejavu-core'),
    ),
  );
  return checks;
}
