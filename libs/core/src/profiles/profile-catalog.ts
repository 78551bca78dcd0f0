import { EncodeProfile, type EncodeProfileInput } from '../domain/encode-profile.js';
import { EncodeError } from '../errors.js';
import { BUILTIN_PROFILES } from './builtin-profiles.js';

/** Validate profile data; E_PROFILE_INVALID names the bad field by its path. */
export function parseProfile(input: unknown, origin = 'profile'): EncodeProfile {
  const result = EncodeProfile.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${[origin, ...issue.path].join('.')}: ${issue.message}`);
  throw new EncodeError('E_PROFILE_INVALID', `Invalid profile: ${issues.join('; ')}`, {
    hint: 'Fix the field named above; `ftrack-encode profiles show ftrack-review` prints a valid example.',
    details: { issues },
  });
}

/**
 * A site profile may `"extends": "<name>"` a built-in or an earlier profile and give only what
 * differs: its fields replace the base's (outputs as a whole when given).
 */
function withBase(raw: unknown, profiles: Map<string, EncodeProfile>, origin: string): unknown {
  if (!raw || typeof raw !== 'object' || !('extends' in raw)) return raw;
  const { extends: baseName, ...rest } = raw as Record<string, unknown>;
  const base = typeof baseName === 'string' ? profiles.get(baseName) : undefined;
  if (!base) {
    throw new EncodeError('E_PROFILE_INVALID', `Invalid profile: ${origin}.extends: no profile named "${String(baseName)}" to extend.`, {
      hint: `Extend one of: ${[...profiles.keys()].sort().join(', ')} (earlier in "profiles" or built in).`,
    });
  }
  return { ...base, description: '', ...rest };
}

/** Built-ins overridden by the site's profiles (same name replaces). */
export class ProfileCatalog {
  private readonly profiles = new Map<string, EncodeProfile>();

  constructor(overrides: EncodeProfileInput[] = []) {
    for (const raw of BUILTIN_PROFILES) this.add(raw, `builtin.${raw.name}`);
    overrides.forEach((raw, i) => this.add(raw, `profiles[${i}]`));
  }

  private add(raw: unknown, origin: string): void {
    const profile = parseProfile(withBase(raw, this.profiles, origin), origin);
    this.profiles.set(profile.name, profile);
  }

  names(): string[] {
    return [...this.profiles.keys()].sort();
  }

  list(): EncodeProfile[] {
    return this.names().map((n) => this.get(n));
  }

  get(name: string): EncodeProfile {
    const profile = this.profiles.get(name);
    if (!profile) {
      throw new EncodeError('E_PROFILE_INVALID', `Unknown profile "${name}". Known: ${this.names().join(', ')}.`, {
        hint: 'List profiles with `ftrack-encode profiles list`.',
      });
    }
    return profile;
  }
}
