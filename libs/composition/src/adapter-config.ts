import { EncodeError, type AdapterConfig, type Config, type EncoderDescriptor, type SharedSettings } from '@ftrack-encode/core';
import { loadConfig } from '@ftrack-encode/node-platform';
import { ENCODERS, STORAGES } from './adapters.js';

type Env = Record<string, string | undefined>;

/** An adapter's block from the config (defaults applied), whether or not it was validated before. */
export function settingsOf<S>(adapterConfig: AdapterConfig<S> | undefined, config: Config): S {
  return (adapterConfig ? adapterConfig.schema.parse(config[adapterConfig.key] ?? {}) : undefined) as S;
}

export function sharedSettings(config: Config, overrides: { threads?: number; hardware?: string } = {}): SharedSettings {
  return {
    hashAlgorithm: config.hashAlgorithm,
    threads: overrides.threads ?? config.threads,
    ...(config.ffmpegPath ? { ffmpegPath: config.ffmpegPath } : {}),
    ...(config.ffprobePath ? { ffprobePath: config.ffprobePath } : {}),
    ...(overrides.hardware ? { hardware: overrides.hardware } : {}),
  };
}

function envBlock(adapterConfig: AdapterConfig<unknown>, env: Env): Record<string, string> {
  const block: Record<string, string> = {};
  for (const [name, field] of Object.entries(adapterConfig.env ?? {})) {
    const value = env[name];
    if (value !== undefined && value !== '') block[field] = value;
  }
  return block;
}

/** Backend names for help text and errors: `auto | native | wasm | farm | ftrack`. */
export function backendChoices(command: 'encode' | 'publish'): string {
  return ['auto', ...ENCODERS.filter((e) => command === 'publish' || !e.capabilities.publishOnly).map((e) => e.id)].join(' | ');
}

/** One line per backend, for --help. */
export function backendHelp(command: 'encode' | 'publish'): string {
  const shown = ENCODERS.filter((e) => command === 'publish' || !e.capabilities.publishOnly);
  const width = Math.max(4, ...shown.map((e) => e.id.length)) + 1;
  const rows = shown.map((e) => `  ${e.id.padEnd(width)}${e.summary}`);
  return ['Backends (--backend):', `  ${'auto'.padEnd(width)}the first local backend that can run here (native, else wasm)`, ...rows].join('\n');
}

/** Location names a configuration offers (built-ins and `locations` entries). */
export function locationNames(config: Config): string[] {
  return [...STORAGES.flatMap((s) => (s.builtinLocation ? [s.builtinLocation] : [])), ...config.locations.map((l) => l.name)];
}

/** Storage types for a `locations` entry, for --help. */
export function storageHelp(): string {
  const width = Math.max(...STORAGES.map((s) => (s.builtinLocation ?? s.id).length)) + 1;
  return [
    'Storage (--location NAME; `locations` entries have a type):',
    ...STORAGES.map((s) => `  ${(s.builtinLocation ?? s.id).padEnd(width)}${s.summary}`),
  ].join('\n');
}

export function encoderById(id: string): EncoderDescriptor<never> | undefined {
  return ENCODERS.find((e) => e.id === id);
}

/**
 * Validates what core leaves to the adapters: each adapter's block (with its environment
 * variables, which win over the file), the backend name, and every `locations` entry against
 * its storage type. Returns the config with the blocks' defaults filled in. A bad field fails
 * with its path, like core's own fields.
 */
export function validateAdapterConfig(config: Config, env: Env = process.env): Config {
  const issues: string[] = [];
  const out: Config = { ...config };
  const blocks = [...ENCODERS.map((e) => e.config), ...STORAGES.map((s) => s.config)].filter((c): c is AdapterConfig<never> => c !== undefined);
  for (const block of blocks) {
    const current = config[block.key];
    const raw = { ...(current && typeof current === 'object' ? (current as Record<string, unknown>) : {}), ...envBlock(block as AdapterConfig<unknown>, env) };
    const parsed = block.schema.safeParse(raw);
    if (parsed.success) out[block.key] = parsed.data;
    else issues.push(...parsed.error.issues.map((i) => `${[block.key, ...i.path.map(String)].join('.')}: ${i.message}`));
  }
  if (config.backend !== 'auto' && !encoderById(config.backend)) issues.push(`backend: unknown backend "${config.backend}" (${backendChoices('publish')})`);
  out.locations = config.locations.map((entry, index) => {
    const storage = STORAGES.find((s) => s.id === entry.type);
    if (!storage) {
      issues.push(`locations.${index}.type: unknown storage type "${entry.type}" (${STORAGES.map((s) => s.id).join(', ')})`);
      return entry;
    }
    const { name, type, ...rest } = entry;
    const parsed = storage.locationSchema.safeParse(rest);
    if (parsed.success) return { name, type, ...(parsed.data as object) };
    issues.push(...parsed.error.issues.map((i) => `${['locations', String(index), ...i.path.map(String)].join('.')}: ${i.message}`));
    return entry;
  });
  if (issues.length > 0) {
    throw new EncodeError('E_CONFIG_INVALID', `Invalid configuration: ${issues.join('; ')}`, {
      hint: 'Fix the field named above in the config file, environment or flags.',
      details: { issues },
    });
  }
  return out;
}

/** The config file, environment and flags, validated for core and for every registered adapter. */
export async function loadAppConfig(options: Parameters<typeof loadConfig>[0] = {}): Promise<Config> {
  return validateAdapterConfig(await loadConfig(options), options.env ?? process.env);
}
