import { z } from 'zod';
import { SegmentsSetting } from '../domain/segments.js';

/**
 * A storage location: its ftrack Location name and the storage adapter `type` that serves it.
 * The rest of the entry belongs to that adapter and is validated by its descriptor.
 */
export const LocationEntry = z.looseObject({
  name: z.string().min(1),
  type: z.string().min(1),
});

/**
 * The one validated configuration. Sources, lowest precedence first: defaults, the
 * config file (ftrack-encode.config.json), environment (FTRACK_SERVER, FTRACK_API_USER,
 * FTRACK_API_KEY, FFMPEG_PATH, and the adapters' own, e.g. REDIS_URL), command-line flags.
 */
/** Site rule for sources whose path matches a glob: how to read their colour, their sequence rate. */
export const SourceRuleConfig = z.object({
  pattern: z.string().min(1),
  colourspace: z.string().min(1).optional(),
  frameRate: z
    .string()
    .regex(/^\d+(\.\d+)?(\/\d+)?$/, 'a rate such as 25, 23.976 or 24000/1001')
    .optional(),
});

/** Colour management: see docs/colour.md. */
export const ColourConfig = z.object({
  /** OCIO config file (also $OCIO, --ocio-config). Without one the built-in transforms apply. */
  ocioConfig: z.string().min(1).optional(),
  /** Read every source as this colourspace (normally a per-run flag: --input-colourspace). */
  inputColourspace: z.string().min(1).optional(),
  /** OCIO display (default: the config's first active display) or built-in srgb | bt1886. */
  display: z.string().min(1).optional(),
  /** OCIO view of the display (default: its first view). */
  view: z.string().min(1).optional(),
  /** OCIO colourspace used as the LUT's 1D shaper for linear input (default: a log space of the config). */
  shaperSpace: z.string().min(1).optional(),
  /** Edge of the baked 3D LUT. */
  cubeSize: z.number().int().min(9).max(129).optional(),
  /** Where baked LUTs are cached (default ~/.cache/ftrack-encode/luts). */
  lutCacheDir: z.string().optional(),
});

export const Config = z.looseObject({
  /** `auto` or an encoder adapter id; checked against the registered adapters. */
  backend: z.string().min(1).default('auto'),
  profile: z.string().default('ftrack-review'),
  profiles: z.array(z.unknown()).default([]),
  ffmpegPath: z.string().optional(),
  ffprobePath: z.string().optional(),
  threads: z.number().int().min(0).default(0),
  /** Segment-parallel encoding by default (a count or "auto"; --segments and a profile's own setting win): docs/segments.md. */
  segments: SegmentsSetting.optional(),
  hashAlgorithm: z.enum(['sha256', 'md5', 'sha1']).default('sha256'),
  gapPolicy: z.enum(['error', 'hold', 'black']).default('error'),
  colour: ColourConfig.default({}),
  /** Per source path pattern: colourspace and sequence rate (first match wins). */
  sourceRules: z.array(SourceRuleConfig).default([]),
  /** Rate of image sequences whose header carries none and no rule matches (default 24, with a warning). */
  sequenceFrameRate: z
    .string()
    .regex(/^\d+(\.\d+)?(\/\d+)?$/, 'a rate such as 25, 23.976 or 24000/1001')
    .optional(),
  /** Rate of image sequences for this run, over headers and rules (normally the --fps flag). */
  fps: z
    .string()
    .regex(/^\d+(\.\d+)?(\/\d+)?$/, 'a rate such as 25, 23.976 or 24000/1001')
    .optional(),
  /** 1-based audio tracks to mix (normally --audio-tracks); default all. */
  audioTracks: z.array(z.number().int().positive()).optional(),
  /** EXR layer to read (normally --layer); default the first part's RGBA. */
  exrLayer: z.string().min(1).optional(),
  ftrack: z
    .object({
      serverUrl: z.string().url().optional(),
      apiUser: z.string().optional(),
      apiKey: z.string().optional(),
      schemaCacheDir: z.string().optional(),
    })
    .default({}),
  /** Where the embedded ftrack-local keeps its data when no server is configured. */
  localDataDir: z.string().optional(),
  location: z.string().default('ftrack.server'),
  locations: z.array(LocationEntry).default([]),
  // Adapter blocks (`farm`, `upload`, ...) pass through here and are validated by the
  // descriptor that owns them (libs/composition), so core knows no adapter's settings.
});

export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;
export type LocationEntry = z.infer<typeof LocationEntry>;

export type SourceRuleConfig = z.infer<typeof SourceRuleConfig>;
export type ColourConfig = z.infer<typeof ColourConfig>;
