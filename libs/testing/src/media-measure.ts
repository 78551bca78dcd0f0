import { execa } from 'execa';

/**
 * Judging pictures and sound like a colourist: decode with ffmpeg, stating the matrix and range,
 * and measure (mean RGB of a region, SSIM of single frames, channels/rate/duration, when sound starts).
 */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DecodeAs {
  /** 0-based frame. */
  frame?: number;
  /** How to read YUV: BT.709 limited for review video, BT.601 full for JFIF. Ignored for RGB files. */
  matrix?: 'bt709' | 'bt601';
  range?: 'tv' | 'pc';
}

function ffmpeg(): string {
  return process.env['FFMPEG_PATH'] ?? 'ffmpeg';
}

function ffprobe(): string {
  return process.env['FFPROBE_PATH'] ?? 'ffprobe';
}

export interface ProbedStream {
  codec_type: string;
  codec_name?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_read_frames?: string;
  nb_read_packets?: string;
  duration?: string;
  start_time?: string;
  channels?: number;
  channel_layout?: string;
  sample_rate?: string;
  color_space?: string;
  color_transfer?: string;
  color_primaries?: string;
  color_range?: string;
  tags?: Record<string, string>;
}

export interface Probed {
  streams: ProbedStream[];
  format: { duration?: string; tags?: Record<string, string> };
}

/** ffprobe with decoded frame counts (-count_frames): what a player really gets. */
export async function probeMedia(path: string): Promise<Probed> {
  const { stdout } = await execa(ffprobe(), ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', path]);
  return JSON.parse(stdout) as Probed;
}

export function videoStream(probed: Probed): ProbedStream {
  const v = probed.streams.find((s) => s.codec_type === 'video');
  if (!v) throw new Error('no video stream');
  return v;
}

/** One decoded frame as 8-bit RGB. */
export async function decodeRgb(path: string, as: DecodeAs = {}): Promise<{ width: number; height: number; data: Uint8Array }> {
  const v = videoStream(await probeMedia(path));
  const filters = [`select=eq(n\\,${as.frame ?? 0})`, `scale=in_color_matrix=${as.matrix ?? 'bt709'}:in_range=${as.range ?? 'tv'}`, 'format=rgb24'];
  const { stdout } = await execa(ffmpeg(), ['-v', 'error', '-i', path, '-vf', filters.join(','), '-frames:v', '1', '-f', 'rawvideo', '-'], {
    encoding: 'buffer',
  });
  return { width: v.width!, height: v.height!, data: new Uint8Array(stdout) };
}

/** Mean 8-bit RGB of a region of one frame. */
export async function meanRgb(path: string, region: Region, as: DecodeAs = {}): Promise<[number, number, number]> {
  const frame = await decodeRgb(path, as);
  return meanOf(frame, region);
}

export function meanOf(frame: { width: number; data: Uint8Array }, region: Region): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = region.y; y < region.y + region.h; y++) {
    for (let x = region.x; x < region.x + region.w; x++) {
      const i = (y * frame.width + x) * 3;
      sum[0]! += frame.data[i]!;
      sum[1]! += frame.data[i + 1]!;
      sum[2]! += frame.data[i + 2]!;
      n++;
    }
  }
  return [sum[0]! / n, sum[1]! / n, sum[2]! / n];
}

/**
 * Combing: mean |2·p(y) − p(y−1) − p(y+1)| of the green channel. A woven interlaced frame with
 * motion has teeth on every moving edge (lines alternate between two moments); a progressive or
 * deinterlaced frame has little of that.
 */
export function combing(frame: { width: number; height: number; data: Uint8Array }): number {
  let sum = 0;
  let n = 0;
  for (let y = 1; y < frame.height - 1; y++) {
    for (let x = 0; x < frame.width; x++) {
      const g = (yy: number) => frame.data[(yy * frame.width + x) * 3 + 1]!;
      sum += Math.abs(2 * g(y) - g(y - 1) - g(y + 1));
      n++;
    }
  }
  return sum / n;
}

/** Largest per-channel difference. */
export function maxChannelError(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
}

/** SSIM (All) of frame `frameA` of a against frame `frameB` of b, both scaled to b's size. */
export async function ssimOfFrames(a: string, frameA: number, b: string, frameB: number): Promise<number> {
  const vb = videoStream(await probeMedia(b));
  const graph = `[0:v]select=eq(n\\,${frameA}),scale=${vb.width}:${vb.height},format=yuv420p,setpts=0[a];[1:v]select=eq(n\\,${frameB}),format=yuv420p,setpts=0[b];[a][b]ssim`;
  const { stderr } = await execa(ffmpeg(), ['-v', 'info', '-i', a, '-i', b, '-filter_complex', graph, '-frames:v', '1', '-f', 'null', '-']);
  const match = /All:([0-9.]+)/.exec(stderr);
  if (!match) throw new Error(`no SSIM in ffmpeg output: ${stderr.slice(-400)}`);
  return Number(match[1]);
}

/**
 * SSIM (All) of every frame of `a` against the frame of `b` with the same index (+ `shift`), b
 * scaled to a's size: a dropped or doubled frame shows as a run of low values from that frame on.
 */
export async function perFrameSsim(a: string, b: string, shift = 0): Promise<number[]> {
  const va = videoStream(await probeMedia(a));
  const skip = shift > 0 ? `trim=start_frame=${shift},` : '';
  const graph = `[0:v]format=yuv420p,setpts=N/TB[a];[1:v]${skip}scale=${va.width}:${va.height},format=yuv420p,setpts=N/TB[b];[a][b]ssim=stats_file=-:shortest=1`;
  const { stdout } = await execa(ffmpeg(), ['-v', 'error', '-i', a, '-i', b, '-filter_complex', graph, '-f', 'null', '-']);
  return [...stdout.matchAll(/All:([0-9.]+)/g)].map((m) => Number(m[1]));
}

/**
 * Each frame of `encoded` against the source frame with its index and both neighbours: `misplaced`
 * lists the frames that match a neighbour at least as well (a dropped or doubled frame, a join off
 * by one); `same` is each frame's SSIM against its own source frame. Needs a source whose every
 * frame differs visibly from the next (the `counter` movie fixture).
 */
export async function frameExactness(encoded: string, source: string): Promise<{ same: number[]; misplaced: number[] }> {
  const [same, next, previous] = await Promise.all([perFrameSsim(encoded, source), perFrameSsim(encoded, source, 1), perFrameSsim(source, encoded, 1)]);
  const misplaced = same.flatMap((ssim, i) => ((i < same.length - 1 && ssim <= next[i]!) || (i > 0 && ssim <= previous[i - 1]!) ? [i] : []));
  return { same, misplaced };
}

/** The first audio stream as interleaved float samples. */
export async function decodeAudio(path: string): Promise<{ channels: number; rate: number; samples: Float32Array }> {
  const probed = await probeMedia(path);
  const a = probed.streams.find((s) => s.codec_type === 'audio');
  if (!a) throw new Error('no audio stream');
  const { stdout } = await execa(ffmpeg(), ['-v', 'error', '-i', path, '-map', '0:a:0', '-f', 'f32le', '-acodec', 'pcm_f32le', '-'], { encoding: 'buffer' });
  const bytes = new Uint8Array(stdout);
  return { channels: a.channels!, rate: Number(a.sample_rate), samples: new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4)) };
}

/** Seconds until a channel first exceeds `threshold`. */
export function firstSoundSeconds(audio: { channels: number; rate: number; samples: Float32Array }, channel = 0, threshold = 0.1): number {
  for (let i = channel; i < audio.samples.length; i += audio.channels)
    if (Math.abs(audio.samples[i]!) > threshold) return Math.floor(i / audio.channels) / audio.rate;
  return Number.POSITIVE_INFINITY;
}

/** A channel's dominant frequency from its zero crossings (good enough for one sine). */
export function toneHz(audio: { channels: number; rate: number; samples: Float32Array }, channel: number): number {
  // Hysteresis: codec noise around zero in quiet parts must not count as crossings.
  // Measured between the first and last crossing, so leading/trailing silence does not dilute it.
  let crossings = 0;
  let sign = 0;
  let first = -1;
  let last = -1;
  const frames = Math.floor(audio.samples.length / audio.channels);
  for (let f = 0; f < frames; f++) {
    const v = audio.samples[f * audio.channels + channel]!;
    const now = v > 0.02 ? 1 : v < -0.02 ? -1 : sign;
    if (sign !== 0 && now !== sign) {
      crossings++;
      if (first < 0) first = f;
      last = f;
    }
    sign = now;
  }
  return crossings < 2 ? 0 : (crossings - 1) / 2 / ((last - first) / audio.rate);
}

/** RMS of a channel. */
export function rms(audio: { channels: number; samples: Float32Array }, channel: number): number {
  let sum = 0;
  let n = 0;
  for (let i = channel; i < audio.samples.length; i += audio.channels) {
    sum += audio.samples[i]! ** 2;
    n++;
  }
  return Math.sqrt(sum / Math.max(1, n));
}

export function parseRate(text: string | undefined): { num: number; den: number } {
  const [num, den] = (text ?? '0/1').split('/').map(Number);
  return { num: num ?? 0, den: den ?? 1 };
}
