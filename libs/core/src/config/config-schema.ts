import { z } from 'zod';

/**
 * The one validated configuration. Sources, lowest precedence first: defaults, the
 * config file (ftrack-encode.config.json), environment (FTRACK_SERVER, FTRACK_API_USER,
 * FTRACK_API_KEY, FFMPEG_PATH, REDIS_URL), command-line flags.
 */
export const DiskLocationConfig = z.object({
  name: z.string().min(1),
  type: z.literal('disk'),
  prefix: z.string().min(1),
  structure: z.string().optional(),
});

export const AutoEncodeRule = z.object({
  /** Asset type short names (e.g. "upload", "img"); empty = any. */
  assetTypes: z.array(z.string()).default([]),
  /** Component names to encode; empty = any that is not review media. */
  componentNames: z.array(z.string()).default([]),
  profile: z.string().default('ftrack-review'),
  location: z.string().default('ftrack.server'),
  /** ftrack.server uploads: bytes per part (files larger than one part go multi-part), parts in flight. */
  upload: z
    .object({
      partSize: z.number().int().min(5 * 1024).optional(),
      parallelParts: z.number().int().min(1).max(32).default(6),
    })
    .default({ parallelParts: 6 }),
});

export const Config = z.object({
  backend: z.enum(['auto', 'native', 'wasm', 'farm', 'ftrack']).default('auto'),
  profile: z.string().default('ftrack-review'),
  profiles: z.array(z.unknown()).default([]),
  ffmpegPath: z.string().optional(),
  ffprobePath: z.string().optional(),
  threads: z.number().int().min(0).default(0),
  hashAlgorithm: z.enum(['sha256', 'md5', 'sha1']).default('sha256'),
  gapPolicy: z.enum(['error', 'hold', 'black']).default('error'),
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
  /** ftrack.server uploads: bytes per part (files larger than one part go multi-part), parts in flight. */
  upload: z
    .object({
      partSize: z.number().int().min(5 * 1024).optional(),
      parallelParts: z.number().int().min(1).max(32).default(6),
      /** Resume journals of interrupted multi-part uploads (default: <tmp>/ftrack-encode-upload-journals). */
      journalDir: z.string().optional(),
    })
    .default({ parallelParts: 6 }),
  locations: z.array(DiskLocationConfig).default([]),
  farm: z
    .object({
      redisUrl: z.string().default('redis://127.0.0.1:6379'),
      queuePrefix: z.string().default('ftrack-encode'),
      concurrency: z.number().int().positive().optional(),
      threadsPerEncode: z.number().int().min(1).default(2),
      scratchDir: z.string().optional(),
      autoEncode: z.array(AutoEncodeRule).default([]),
      healthPort: z.number().int().min(0).default(9464),
      stopDeadlineSeconds: z.number().positive().default(30),
    })
    .default({ redisUrl: 'redis://127.0.0.1:6379', queuePrefix: 'ftrack-encode', threadsPerEncode: 2, autoEncode: [], healthPort: 9464, stopDeadlineSeconds: 30 }),
});

export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;
export type DiskLocationConfig = z.infer<typeof DiskLocationConfig>;
