import { z } from 'zod';

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
export const Config = z.looseObject({
  /** `auto` or an encoder adapter id; checked against the registered adapters. */
  backend: z.string().min(1).default('auto'),
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
  locations: z.array(LocationEntry).default([]),
  // Adapter blocks (`farm`, `upload`, ...) pass through here and are validated by the
  // descriptor that owns them (libs/composition), so core knows no adapter's settings.
});

export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;
export type LocationEntry = z.infer<typeof LocationEntry>;
