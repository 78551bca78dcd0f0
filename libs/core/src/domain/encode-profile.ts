import { z } from 'zod';
import { Burnins, Slate } from './burnins.js';
import { SegmentsSetting } from './segments.js';

/**
 * Profiles are data: a named set of outputs made from one decode of the source.
 * Built-ins live in profiles/builtin-profiles.ts; a site overrides them in config.
 */
export const VIDEO_CODECS = ['h264', 'hevc', 'vp9', 'vp8', 'av1', 'prores', 'dnxhr'] as const;
export const IMAGE_CODECS = ['mjpeg', 'png'] as const;
export const CONTAINERS = ['mp4', 'mov', 'webm', 'mkv', 'jpg', 'png'] as const;

export const VideoCodec = z.enum(VIDEO_CODECS);
export const ImageCodec = z.enum(IMAGE_CODECS);
export type VideoCodec = z.infer<typeof VideoCodec>;
export type ImageCodec = z.infer<typeof ImageCodec>;
export type Codec = VideoCodec | ImageCodec;

export const FitRule = z.enum(['within', 'exact', 'scale']);

const Size = z.object({
  /** Largest width/height the output may have. */
  maxWidth: z.number().int().positive().optional(),
  maxHeight: z.number().int().positive().optional(),
  /**
   * within: shrink to fit maxWidth×maxHeight keeping aspect, never upscale;
   * exact: pad/scale to exactly maxWidth×maxHeight; scale: multiply by `scale`.
   */
  fit: FitRule.default('within'),
  scale: z.number().positive().max(1).optional(),
});

const AudioSpec = z.object({
  codec: z.enum(['aac', 'opus', 'vorbis', 'none']).default('aac'),
  bitrate: z
    .string()
    .regex(/^\d+k$/)
    .default('192k'),
});

/**
 * The display a profile's (or one output's) pictures are for (docs/colour.md): an OCIO
 * display/view, or built-in srgb | bt1886. Fills what the run's config and flags leave open.
 */
export const ColourBlock = z
  .object({
    display: z.string().min(1).optional(),
    view: z.string().min(1).optional(),
    inputColourspace: z.string().min(1).optional(),
  })
  .strict();
export type ColourBlock = z.infer<typeof ColourBlock>;

const Common = {
  /** Component name in ftrack (ftrackreview-mp4, thumbnail, ...). */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "." and "-" only'),
  /** Skipped (not an error) when the source is too small to need it, e.g. a 1080 variant of a 720p source. */
  optional: z.boolean().default(false),
  /** Free text for `profiles show`. */
  why: z.string().optional(),
  size: Size.default({ fit: 'within' }),
  /** This output's own colour settings, merged over the profile's block field by field (the output wins). */
  colour: ColourBlock.optional(),
};

export const VideoOutputSpec = z.object({
  ...Common,
  kind: z.literal('video'),
  codec: VideoCodec,
  container: z.enum(['mp4', 'mov', 'webm', 'mkv']),
  /** Constant quality; lower is better. Ignored when bitrate is set. */
  crf: z.number().min(0).max(63).optional(),
  /** Target bitrate such as "8M". */
  bitrate: z
    .string()
    .regex(/^\d+(\.\d+)?[kM]$/)
    .optional(),
  /** Encoder speed/quality preset (x264 preset, vp9 deadline, prores profile). */
  preset: z.string().optional(),
  /** Frames between keyframes; short GOPs make the ftrack player scrub. */
  keyframeInterval: z.number().int().positive().optional(),
  pixelFormat: z.string().default('yuv420p'),
  audio: AudioSpec.default({ codec: 'aac', bitrate: '192k' }),
  /** Only produce when the source is larger than the size limit (used by -1080 variants). */
  onlyWhenLargerThan: z.object({ width: z.number().int(), height: z.number().int() }).optional(),
  /** Write BT.709 colour tags (what review players assume for HD). */
  bt709: z.boolean().default(true),
  /** Extra encoder arguments appended for this output (argv items, never a shell string). */
  extraArgs: z.array(z.string()).default([]),
  /** Quality gate: least SSIM of sampled frames against the source as it should look (default 0.97; 0.95 for VP8/VP9). */
  minSsim: z.number().min(0).max(1).optional(),
  /** Quality gate: least PSNR in dB, when set. */
  minPsnr: z.number().positive().optional(),
});

export const ImageOutputSpec = z.object({
  ...Common,
  kind: z.literal('image'),
  codec: ImageCodec,
  container: z.enum(['jpg', 'png']),
  /** Which source frame: 'middle', 'first', or a 0-based frame index. */
  frame: z.union([z.enum(['middle', 'first']), z.number().int().nonnegative()]).default('middle'),
  /** JPEG quality 2 (best) ... 31. */
  quality: z.number().int().min(1).max(31).default(3),
  /** What the image is for: a thumbnail, or the reviewable still (ftrackreview-image). */
  role: z.enum(['thumbnail', 'review-image']).default('thumbnail'),
});

export const OutputSpec = z.discriminatedUnion('kind', [VideoOutputSpec, ImageOutputSpec]);
export type VideoOutputSpec = z.infer<typeof VideoOutputSpec>;
export type ImageOutputSpec = z.infer<typeof ImageOutputSpec>;
export type OutputSpec = z.infer<typeof OutputSpec>;

export const EncodeProfile = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, "_" and "-"'),
    description: z.string().default(''),
    /**
     * File name template. Variables: {source} (source name without frame number or
     * extension), {version} (vNNN found in the source name, else "v000"), {profile},
     * {output} (output name), {ext}.
     */
    naming: z.string().default('{source}_{output}.{ext}'),
    /** Outputs for a movie/sequence source. */
    outputs: z.array(OutputSpec).min(1),
    /** Outputs when the source is a single still image; default: the image outputs only. */
    stillOutputs: z.array(OutputSpec).optional(),
    /** The display these outputs are for (an output's own `colour` block wins over it). */
    colour: ColourBlock.optional(),
    /** Text drawn on the outputs (shot, version, frame, timecode, ...): docs/burnins.md. */
    burnins: Burnins.optional(),
    /** Frames prepended to the outputs with the shot's details: docs/burnins.md. */
    slate: Slate.optional(),
    /** Segment-parallel encoding by default for this profile (a count or "auto"; --segments wins): docs/segments.md. */
    segments: SegmentsSetting.optional(),
  })
  .superRefine((profile, ctx) => {
    const seen = new Set<string>();
    for (const [i, output] of profile.outputs.entries()) {
      if (seen.has(output.name)) ctx.addIssue({ code: 'custom', path: ['outputs', i, 'name'], message: `duplicate output name "${output.name}"` });
      seen.add(output.name);
      if (output.kind === 'video' && output.codec === 'h264' && output.container === 'webm')
        ctx.addIssue({ code: 'custom', path: ['outputs', i, 'container'], message: 'webm holds vp8/vp9/av1, not h264' });
    }
    for (const block of ['burnins', 'slate'] as const) {
      for (const [i, name] of (profile[block]?.outputs ?? []).entries()) {
        if (!seen.has(name)) ctx.addIssue({ code: 'custom', path: [block, 'outputs', i], message: `no output named "${name}"` });
      }
    }
  });
export type EncodeProfile = z.infer<typeof EncodeProfile>;
export type EncodeProfileInput = z.input<typeof EncodeProfile>;
