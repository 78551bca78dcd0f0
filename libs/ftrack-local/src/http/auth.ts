// Authenticates API users by username + key (timing-safe compare). Keys are never logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ApiUser } from '../store/users.js';

export class Authenticator {
  private readonly byName = new Map<string, ApiUser>();

  constructor(users: readonly ApiUser[]) {
    for (const user of users) this.byName.set(user.username, user);
  }

  /** Adds or replaces a user (e.g. after its key was reset). */
  set(user: ApiUser): void {
    this.byName.set(user.username, user);
  }

  verify(username: string | undefined | null, apiKey: string | undefined | null): ApiUser | undefined {
    if (!username || !apiKey) return undefined;
    // Python's get_url() does not URL-encode: a '+' in a username arrives as a space.
    const user = this.byName.get(username) ?? this.byName.get(username.replace(/ /g, '+'));
    if (!user) return undefined;
    return sameSecret(user.apiKey, apiKey) ? user : undefined;
  }

  fromApiHeaders(req: IncomingMessage): ApiUser | undefined {
    return this.verify(header(req, 'ftrack-user'), header(req, 'ftrack-api-key'));
  }

  fromQuery(params: URLSearchParams): ApiUser | undefined {
    return this.verify(params.get('username') ?? params.get('api_user'), params.get('apiKey') ?? params.get('api_key'));
  }
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function sameSecret(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
