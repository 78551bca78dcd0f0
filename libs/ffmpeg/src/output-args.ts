import type { Codec, ImageOutputSpec, PlannedOutput, VideoOutputSpec } from '@ftrack-encode/core';

/** The software ffmpeg encoder the argv builder uses for each profile codec: one table for every backend. */
export const CODEC_ENCODERS: Readonly<Record<Codec, readonly string[]>> = {
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

/** ffmpeg muxer per container; always explicit so a file name never picks the format. */
export const MUXERS: Record<PlannedOutput['spec']['container'], string> = {
  mp4: 'mp4',
  mov: 'mov',
  webm: 'webm',
  mkv: 'matroska',
  jpg: 'image2',
  png: 'image2',
};

/** Arguments the graph and the run need for a hardware encoder (proven by the native capabilities probe). */
export interface HardwareSetup {
  globalArgs: string[];
  /** Replaces `format=<pix_fmt>` at the end of the branch. */
  uploadFilter: string;
  encoder: string;
}

export function hardwareSetup(hardware: string | undefined, codec: string): HardwareSetup | undefined {
  if (!hardware || !hardware.startsWith(`${codec === 'hevc' ? 'hevc' : codec}_`)) return undefined;
  if (hardware.endsWith('_qsv'))
    return { globalArgs: ['-init_hw_device', 'qsv=hw', '-filter_hw_device', 'hw'], uploadFilter: 'format=nv12', encoder: hardware };
  if (hardware.endsWith('_vaapi')) return { globalArgs: ['-vaapi_device', '/dev/dri/renderD128'], uploadFilter: 'format=nv12,hwupload', encoder: hardware };
  return { globalArgs: [], uploadFilter: 'format=yuv420p', encoder: hardware };
}

function x264Profile(pixelFormat: string): string {
  if (/^yuv444|^gbr/.test(pixelFormat)) return 'high444';
  if (/^yuv422/.test(pixelFormat)) return 'high422';
  if (/10le$|10be$/.test(pixelFormat)) return 'high10';
  return 'high';
}

/** "8M" -> "16M": VBV buffer of two seconds-ish at the target rate. */
function double(bitrate: string): string {
  const match = /^(\d+(?:\.\d+)?)([kM])$/.exec(bitrate);
  return match ? `${Number(match[1]) * 2}${match[2]}` : bitrate;
}

function rateControl(spec: VideoOutputSpec, crfFlag: string[]): string[] {
  if (spec.bitrate) return ['-b:v', spec.bitrate, '-maxrate', spec.bitrate, '-bufsize', double(spec.bitrate)];
  return spec.crf === undefined ? [] : [...crfFlag, String(spec.crf)];
}

function gop(spec: VideoOutputSpec): string[] {
  // A fixed GOP (no scene-cut keyframes in between) keeps scrubbing cost predictable.
  const k = spec.keyframeInterval;
  return k ? ['-g', String(k), '-keyint_min', String(k)] : [];
}

function vpxDeadline(preset: string | undefined): string[] {
  if (preset === 'realtime') return ['-deadline', 'realtime', '-cpu-used', '8'];
  if (preset === 'best') return ['-deadline', 'best'];
  return ['-deadline', 'good', '-cpu-used', preset && /^\d$/.test(preset) ? preset : '4'];
}

/** Video codec arguments for one output (after -map). */
export function videoCodecArgs(spec: VideoOutputSpec, hardware: HardwareSetup | undefined): string[] {
  if (hardware) {
    const quality =
      spec.crf === undefined
        ? []
        : hardware.encoder.endsWith('_nvenc')
          ? ['-rc', 'vbr', '-cq', String(spec.crf), '-b:v', '0']
          : hardware.encoder.endsWith('_qsv')
            ? ['-global_quality', String(spec.crf)]
            : ['-qp', String(spec.crf)];
    return ['-c:v', hardware.encoder, ...(spec.codec === 'h264' ? ['-profile:v', 'high'] : []), ...quality, ...gop(spec)];
  }
  switch (spec.codec) {
    case 'h264':
      return [
        '-c:v',
        'libx264',
        '-profile:v',
        x264Profile(spec.pixelFormat),
        '-preset',
        spec.preset ?? 'medium',
        ...rateControl(spec, ['-crf']),
        ...gop(spec),
        '-sc_threshold',
        '0',
      ];
    case 'hevc':
      // hvc1 tag: Apple players refuse hev1 in MP4/MOV.
      return [
        '-c:v',
        'libx265',
        '-preset',
        spec.preset ?? 'medium',
        ...rateControl(spec, ['-crf']),
        ...gop(spec),
        '-tag:v',
        'hvc1',
        '-x265-params',
        'log-level=error',
      ];
    case 'vp9':
      // -b:v 0 with -crf is constant quality in libvpx-vp9.
      return [
        '-c:v',
        'libvpx-vp9',
        ...(spec.bitrate ? rateControl(spec, []) : ['-b:v', '0', ...rateControl(spec, ['-crf'])]),
        ...vpxDeadline(spec.preset),
        '-row-mt',
        '1',
        ...gop(spec),
      ];
    case 'vp8':
      // VP8 treats -b:v as the ceiling of its constant quality mode; 0 is not allowed.
      return [
        '-c:v',
        'libvpx',
        '-b:v',
        spec.bitrate ?? '8M',
        ...(spec.crf === undefined ? [] : ['-crf', String(Math.max(4, Math.min(63, spec.crf)))]),
        ...vpxDeadline(spec.preset),
        ...gop(spec),
      ];
    case 'av1':
      return ['-c:v', 'libsvtav1', '-preset', spec.preset ?? '8', ...rateControl(spec, ['-crf']), ...gop(spec)];
    case 'prores':
      // prores_ks profiles: 0 proxy, 1 lt, 2 standard, 3 hq, 4 4444, 5 4444xq.
      return ['-c:v', 'prores_ks', '-profile:v', spec.preset ?? '3', '-vendor', 'apl0'];
    case 'dnxhr':
      return ['-c:v', 'dnxhd', '-profile:v', spec.preset ?? 'dnxhr_hq'];
  }
}

export function audioCodecArgs(spec: VideoOutputSpec, sourceChannels: number): string[] {
  // WebM holds only Opus/Vorbis: an AAC request there means "the default audio" -> Opus.
  const codec = spec.container === 'webm' && spec.audio.codec === 'aac' ? 'opus' : spec.audio.codec;
  const encoder = codec === 'opus' ? 'libopus' : codec === 'vorbis' ? 'libvorbis' : 'aac';
  // Review players expect stereo; libopus also rejects some surround layouts.
  return ['-c:a', encoder, '-b:a', spec.audio.bitrate, ...(sourceChannels > 2 ? ['-ac', '2'] : [])];
}

export function imageCodecArgs(spec: ImageOutputSpec): string[] {
  return spec.codec === 'mjpeg' ? ['-c:v', 'mjpeg', '-q:v', String(spec.quality)] : ['-c:v', 'png'];
}
