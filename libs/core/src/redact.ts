// One redaction for every message, detail, log line and URL a user or log shipper sees.
// Pure and browser-safe: the CLI, the daemon, the web app and every adapter share it.

/** Keys whose values are credentials wherever they appear in structured data. */
const SECRET_KEY = /api[-_]?key|password|passwd|secret|token|authorization|credentials/i;

/**
 * Replaces credentials in free text: `user:password@` in URLs (http, redis, …),
 * apiKey/api_key/token query values, `ftrack-api-key` headers, and any extra secret given.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text
    // scheme://user:password@ keeps the user; scheme://token@ (no password) hides the token.
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s/@:"']*)(:[^\s/@"']*)?@/gi, (_all, scheme: string, user: string, password?: string) =>
      password && user ? `${scheme}${user}:[redacted]@` : `${scheme}[redacted]@`,
    )
    .replace(/([?&](?:apiKey|api_key|token|password)=)[^&\s"']+/gi, '$1[redacted]')
    .replace(/(ftrack-api-key["']?\s*[:=]\s*["']?)[^"',\s}]+/gi, '$1[redacted]');
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  return out;
}

/** Deep copy of structured data with secret-named keys blanked and every string redacted. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redactValue(v, depth + 1)]),
  );
}
