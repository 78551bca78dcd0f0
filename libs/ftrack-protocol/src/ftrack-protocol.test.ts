import { describe, expect, it } from 'vitest';
import { checkId, LOCATION_IDS, queries, quote, SERVER_LOCATION_ID } from './index.js';

describe('ftrack protocol', () => {
  it('quotes query literals so no value can end the string', () => {
    expect(quote('plain')).toBe('"plain"');
    expect(quote('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
  });

  it('accepts only id-like text where an id goes', () => {
    expect(checkId('3a372bde-05bc-11e4-8908-20c9d081909b', 'Location')).toBe(SERVER_LOCATION_ID);
    expect(() => checkId('x" or id is "y', 'AssetVersion')).toThrow(/not a valid ftrack id/);
    expect(() => queries.versionTarget('1" or "1"="1')).toThrow(expect.objectContaining({ code: 'E_FTRACK_NOT_FOUND' }));
  });

  it('builds the queries the registry, daemon and web app send', () => {
    expect(queries.resourceRegistered(LOCATION_IDS.server, 'a/b "c".mp4')).toBe(
      `select id from ComponentLocation where location_id is "${LOCATION_IDS.server}" and resource_identifier is "a/b \\"c\\".mp4" limit 1`,
    );
    expect(queries.sourceComponents({ componentId: 'c-1' })).toMatch(/from Component where id is "c-1"$/);
    expect(queries.sourceComponents({ versionId: 'v-1' })).toMatch(/from Component where version_id is "v-1"$/);
    expect(queries.registeredProvenance(['a', 'b'])).toBe(
      'select parent_id from Metadata where parent_id in ("a", "b") and key is "ftrack_encode.profile_hash"',
    );
  });
});
