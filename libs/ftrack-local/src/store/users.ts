// API users: one row per username with its key and the id of its User entity.
// The default development user's generated key is persisted in the data dir.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from './sqlite.js';
import type { EntityRepo, Row } from './entity-repo.js';

export interface ApiUser {
  id: string;
  username: string;
  apiKey: string;
}

export const DEV_USERNAME = 'ftrack-local-dev';

export function provisionUsers(db: Db, repo: EntityRepo, requested?: readonly { username: string; apiKey: string }[]): ApiUser[] {
  const wanted =
    requested && requested.length > 0
      ? requested
      : [{ username: DEV_USERNAME, apiKey: existingKey(db, DEV_USERNAME) ?? randomBytes(24).toString('base64url') }];
  const users: ApiUser[] = [];
  repo.transaction(() => {
    for (const { username, apiKey } of wanted) {
      const userId = ensureUserEntity(repo, username);
      db.prepare(
        'INSERT INTO api_user(username, api_key, user_id) VALUES(?, ?, ?) ON CONFLICT(username) DO UPDATE SET api_key = excluded.api_key, user_id = excluded.user_id',
      ).run(username, apiKey, userId);
      users.push({ id: userId, username, apiKey });
    }
  });
  return users;
}

function existingKey(db: Db, username: string): string | undefined {
  const row = db.prepare('SELECT api_key FROM api_user WHERE username = ?').get(username) as { api_key: string } | undefined;
  return row?.api_key;
}

function ensureUserEntity(repo: EntityRepo, username: string): string {
  const found = repo.rows('User').find((r) => r['username'] === username);
  if (found) return String(found['id']);
  const id = randomUUID();
  const [first, last] = username === DEV_USERNAME ? ['Local', 'Developer'] : [username, ''];
  const row: Row = {
    id,
    username,
    first_name: first,
    last_name: last,
    email: null,
    is_active: true,
    is_otp_enabled: false,
    is_totp_enabled: false,
    require_details_update: false,
    resource_type: 'user',
    thumbnail_id: null,
    user_type_id: null,
  };
  repo.insert('User', [id], row);
  return id;
}

/** A new API key for a User entity (an API user from now on); the old key stops working. */
export function resetApiKey(db: Db, repo: EntityRepo, userId: string): ApiUser {
  const row = repo.get('User', [userId]);
  if (!row || typeof row['username'] !== 'string') throw new Error(`User ${userId} does not exist.`);
  const apiKey = randomBytes(24).toString('base64url');
  db.prepare(
    'INSERT INTO api_user(username, api_key, user_id) VALUES(?, ?, ?) ON CONFLICT(username) DO UPDATE SET api_key = excluded.api_key, user_id = excluded.user_id',
  ).run(row['username'], apiKey, userId);
  return { id: userId, username: row['username'], apiKey };
}

export function storedApiUsers(db: Db): ApiUser[] {
  const rows = db.prepare('SELECT username, api_key, user_id FROM api_user').all() as { username: string; api_key: string; user_id: string }[];
  return rows.map((r) => ({ id: r.user_id, username: r.username, apiKey: r.api_key }));
}
