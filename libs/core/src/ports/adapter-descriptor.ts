import type { DependencyContainer } from 'tsyringe';
import type { z } from 'zod';
import type { HashAlgorithm } from '../domain/encode-plan.js';
import type { Logger } from './logger.js';
import type { StorageAccessor } from './storage-accessor.js';
import type { HealthCheck } from './health-check.js';

/** The ftrack server a scope talks to: configured, or the CLI's embedded ftrack-local. */
export interface FtrackEndpoint {
  serverUrl: string;
  apiUser: string;
  apiKey: string;
}

/**
 * An adapter's own block of the configuration: the top-level key it owns, the schema that
 * validates it (defaults included), and environment variables that fill its fields
 * (`{ REDIS_URL: 'redisUrl' }`; the schema coerces the text).
 */
export interface AdapterConfig<S> {
  key: string;
  schema: z.ZodType<S>;
  env?: Record<string, string>;
}

/** Settings every adapter may honour, from the shared part of the configuration. */
export interface SharedSettings {
  hashAlgorithm: HashAlgorithm;
  threads: number;
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Hardware encoder of a farm worker's queue (h264_nvenc ...). */
  hardware?: string;
}

/** What a descriptor's register() gets: the container to register into, and the context. */
export interface AdapterContext<S> {
  container: DependencyContainer;
  logger: Logger;
  shared: SharedSettings;
  /** This adapter's validated settings block (undefined when it declares none). */
  settings: S;
  /** Set when the scope has an ftrack connection (TOKENS.FtrackApi is then registered). */
  ftrack?: FtrackEndpoint;
  /** A StorageAccessor for a location by name (server-side encoders upload through ftrack.server). */
  location(name: string): Promise<StorageAccessor>;
}

export interface EncoderCapabilityFlags {
  /** Runs ffmpeg on this machine: registers TOKENS.MediaProbe too, and can probe for remote encoders. */
  local: boolean;
  /** Needs an ftrack connection (the server's own encode_media). */
  needsFtrack: boolean;
  /** Only for publish (encode needs outputs on this machine or shared storage). */
  publishOnly?: boolean;
}

/**
 * An encoder adapter as a plug-in: `--backend <id>`. Registered in the composition's one
 * adapter registry; the config schema, backend choices and help text are built from these.
 */
export interface EncoderDescriptor<S = unknown> {
  kind: 'encoder';
  id: string;
  /** One line for --help. */
  summary: string;
  config?: AdapterConfig<S>;
  capabilities: EncoderCapabilityFlags;
  /** Local encoders only: whether it can run here, and why — `auto` takes the first that can. */
  available?(shared: SharedSettings): Promise<{ ok: boolean; reason: string }>;
  /** Registers TOKENS.Encoder (and TOKENS.MediaProbe when local). Returns a clean-up, if any. */
  register(context: AdapterContext<S>): Promise<(() => Promise<void>) | void>;
  /** `doctor`: what this backend needs on this machine, checked for real. */
  diagnose?(context: DiagnoseContext<S>): Promise<HealthCheck[]>;
}

export interface DiagnoseContext<S> {
  shared: SharedSettings;
  settings: S;
  /** The site uses this adapter (its backend, its config block or environment is set): problems are failures, not warnings. */
  inUse: boolean;
}

/** What a storage descriptor's register() gets: `settings` is the location entry, `block` the type's shared block. */
export interface StorageContextOptions<S, B = unknown> extends AdapterContext<S> {
  block: B;
  /** The ftrack Location name (config `locations[].name`, or the built-in name). */
  locationName: string;
  /** Looks a Location's id up in ftrack by name. */
  locationId(name: string): Promise<string>;
}

/**
 * A storage adapter as a plug-in: a location `type` in config `locations` (or a built-in
 * location such as ftrack.server that needs no entry).
 */
export interface StorageDescriptor<S = unknown, B = unknown> {
  kind: 'storage';
  /** The `type` of a `locations` entry. */
  id: string;
  summary: string;
  /** Validates a `locations` entry of this type (beyond name and type). */
  locationSchema: z.ZodType<S>;
  /** Settings shared by every location of this type (a top-level block, e.g. `upload`). */
  config?: AdapterConfig<B>;
  /** A location that exists without a `locations` entry (ftrack.server). */
  builtinLocation?: string;
  register(context: StorageContextOptions<S, B>): Promise<StorageAccessor>;
}
