// Bad publish targets and credentials: wrong key, unknown user, unknown version/component, an id
// carrying query text, a source in no readable location, an unknown location, an unreachable server,
// and credentials in FTRACK_SERVER that must never be printed.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { ERROR_CODES } from '@ftrack-encode/core';
import { describeResult } from '../../support/cli.js';
import { createEntity } from '../../support/ftrack.js';
import { publishArgs } from '../harness.js';
import { failingRow } from './builders.js';
import type { ReliabilityCase } from '../table.js';

/** Where ftrack-local keeps its ComponentLocations for ftrack.unmanaged (reference data). */
const UNMANAGED_LOCATION_ID = 'cb268ecc-8809-11e3-a7e2-20c9d081909b';

export const ftrackInputCases: ReliabilityCase[] = [
  {
    name: 'wrong API key',
    fault: "FTRACK_API_KEY is not the user's key",
    expected: 'E_FTRACK_AUTH',
    state: 'JSON and text both name server and user, never the key; nothing registered or stored',
    run: async (h) => {
      const ctx = await h.context('wrong-key');
      const versionId = await h.newVersion();
      const wrongKey = `wrong-key-${randomUUID()}`;
      for (const mode of [['--json'], []]) {
        const result = await h.cli(['publish', h.clips.small, '--version', versionId, ...mode], ctx, { FTRACK_API_KEY: wrongKey });
        h.expectError(result, 'E_FTRACK_AUTH', { json: mode.length > 0 });
        const output = result.stdout + result.stderr;
        expect(output).toContain(h.server.url);
        expect(output).toContain(h.server.user);
        expect(output).not.toContain(wrongKey);
        expect(output).not.toContain(h.server.apiKey);
      }
      await h.expectNoTrace(ctx, versionId);
    },
  },
  failingRow({
    name: 'unknown API user',
    fault: 'FTRACK_API_USER names no user',
    code: 'E_FTRACK_AUTH',
    setup: async (h) => {
      const versionId = await h.newVersion();
      return { args: publishArgs(h.clips.small, versionId), versionId, env: { FTRACK_API_USER: `nobody-${randomUUID().slice(0, 8)}` } };
    },
  }),
  {
    name: 'unknown version id',
    fault: '--version is a well-formed id of no AssetVersion',
    expected: 'E_FTRACK_NOT_FOUND',
    state: 'fails before encode/store (no such stage on stderr); nothing stored; no scratch',
    run: async (h) => {
      const ctx = await h.context('unknown-version');
      const missing = randomUUID();
      const json = await h.cli(publishArgs(h.clips.small, missing), ctx);
      expect(h.expectError(json, 'E_FTRACK_NOT_FOUND')?.message).toContain(missing);
      const text = await h.cli(['publish', h.clips.small, '--version', missing], ctx);
      expect(text.code, describeResult(text)).toBe(ERROR_CODES.E_FTRACK_NOT_FOUND);
      expect(text.stderr).toContain(missing);
      expect(text.stderr).not.toMatch(/^(encode|validate|store|register)\b/m);
      await h.expectNoTrace(ctx, missing); // not even a component pointing at the missing id
    },
  },
  failingRow({
    name: 'version id with quotes / query injection',
    fault: '--version \'abc" or id is not "x\' (query text in an id)',
    code: 'E_FTRACK_NOT_FOUND',
    state: 'rejected as not an id; the seeded version and every other is untouched; nothing stored',
    setup: async (h) => ({
      args: publishArgs(h.clips.small, 'abc" or id is not "x'),
      versionId: h.server.seed.versionId,
      before: (await h.components(h.server.seed.versionId)).map((c) => c.id),
    }),
    check: (_h, _ctx, result) => {
      expect(result.stdout).toContain('not a valid ftrack id');
    },
  }),
  failingRow({
    name: 'unknown source component id',
    fault: '--component is an id of no component',
    code: 'E_FTRACK_NOT_FOUND',
    setup: async () => ({ args: ['publish', '--component', randomUUID(), '--json'] }),
  }),
  failingRow({
    name: 'source component in no readable location',
    fault: "the version's only component is in ftrack.unmanaged at /mnt/nowhere",
    code: 'E_SOURCE_NOT_ACCESSIBLE',
    state: 'the version keeps only its source component; nothing stored',
    setup: async (h) => {
      const versionId = await h.newVersion();
      const componentId = await createEntity(h.session, 'FileComponent', { name: 'main', file_type: '.mov', size: 123_456, version_id: versionId });
      await createEntity(h.session, 'ComponentLocation', {
        component_id: componentId,
        location_id: UNMANAGED_LOCATION_ID,
        resource_identifier: '/mnt/nowhere/sh010_plate.mov',
      });
      return { args: ['publish', '--version', versionId, '--json'], versionId, before: [componentId] };
    },
    check: (_h, _ctx, result, run) => {
      expect(result.stdout).toContain(run.before![0]);
    },
  }),
  failingRow({
    name: 'unknown location name',
    fault: '--location nowhere (not ftrack.server, not in the config)',
    code: 'E_CONFIG_INVALID',
    setup: async (h) => {
      const versionId = await h.newVersion();
      return { args: publishArgs(h.clips.small, versionId, '--location', 'nowhere'), versionId };
    },
  }),
  failingRow({
    name: 'unreachable ftrack server',
    fault: 'FTRACK_SERVER=http://127.0.0.1:1 (nothing listens)',
    code: 'E_FTRACK_FAILED',
    setup: async (h) => {
      const versionId = await h.newVersion();
      return { args: publishArgs(h.clips.small, versionId), versionId, env: { FTRACK_SERVER: 'http://127.0.0.1:1' } };
    },
  }),
  {
    name: 'credentials in FTRACK_SERVER are never printed',
    fault: 'FTRACK_SERVER=http://user:secret@127.0.0.1:1 (json, text and --verbose)',
    expected: 'E_FTRACK_FAILED',
    state: '"secret" appears nowhere on stdout or stderr; nothing registered',
    run: async (h) => {
      const ctx = await h.context('url-credentials');
      const secret = `secret${randomUUID().slice(0, 8)}`;
      const versionId = await h.newVersion();
      for (const mode of [['--json'], [], ['--verbose']]) {
        const result = await h.cli(['publish', h.clips.small, '--version', versionId, ...mode], ctx, { FTRACK_SERVER: `http://user:${secret}@127.0.0.1:1` });
        h.expectError(result, 'E_FTRACK_FAILED', { json: mode[0] === '--json' });
        expect(result.stdout + result.stderr, `mode ${mode.join(' ') || 'text'}`).not.toContain(secret);
      }
      await h.expectNoTrace(ctx, versionId);
    },
  },
  {
    name: 'publish --dry-run registers and stores nothing',
    fault: 'publish --dry-run against a fresh version',
    expected: 'success',
    state: 'command lines printed; nothing registered, nothing stored, no scratch',
    run: async (h) => {
      const ctx = await h.context('dry-run');
      const versionId = await h.newVersion();
      const result = await h.cli(publishArgs(h.clips.small, versionId, '--dry-run'), ctx);
      expect(h.expectSuccess(result).components).toEqual([]);
      await h.expectNoTrace(ctx, versionId);
    },
  },
];
