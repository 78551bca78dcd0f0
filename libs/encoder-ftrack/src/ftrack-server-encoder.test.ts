// --backend ftrack: the Encoder contract against ftrack-local, whose encode_media runs the
// site's encoder (here native ffmpeg with the contract profile, as a site would configure it).
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container } from 'tsyringe';
import { it } from 'vitest';
import { EncodeMedia, TOKENS, parseProfile, silentLogger } from '@ftrack-encode/core';
import { registerNativeEncoder } from '@ftrack-encode/encoder-native';
import { registerNodePlatform } from '@ftrack-encode/node-platform';
import { startFtrackLocal } from '@ftrack-encode/ftrack-local';
import { FtrackServerStorage } from '@ftrack-encode/storage-ftrack-server';
import { CONTRACT_PROFILE, describeEncoderContract } from '@ftrack-encode/testing';
import { FtrackConnection } from '@ftrack-encode/ftrack';
import { ftrMetaFor } from '@ftrack-encode/ftrack-protocol';
import { FtrackServerEncoder } from './ftrack-server-encoder.js';

const SLOW_SERVER_PROFILE = parseProfile({
  ...CONTRACT_PROFILE,
  name: 'slow-server',
  outputs: CONTRACT_PROFILE.outputs.map((o) => (o.kind === 'video' ? { ...o, preset: 'veryslow', size: { maxWidth: 640, maxHeight: 360, fit: 'within' } } : o)),
});

describeEncoderContract(
  it,
  async () => {
    const local = container.createChildContainer();
    registerNodePlatform(local, { logger: silentLogger });
    registerNativeEncoder(local);
    const dataDir = await mkdtemp(join(tmpdir(), 'ftrack-encoder-'));
    const server = await startFtrackLocal({
      dataDir,
      seed: 'demo',
      encodeMedia: async ({ sourcePath, outputDir, signal }) => {
        // The contract's cancel clip is the only long one: encode it slowly, like a real server would.
        const info = await local.resolve(TOKENS.MediaProbe).probe({ kind: 'file', path: sourcePath });
        const profile = info.duration > 5 ? SLOW_SERVER_PROFILE : CONTRACT_PROFILE;
        const result = await local.resolve(EncodeMedia).run(sourcePath, profile, { outputDir, signal });
        return {
          files: result.outputs.map((output) => {
            const meta = ftrMetaFor({ output });
            return {
              name: output.name,
              path: output.path,
              fileType: `.${output.spec.container}`,
              ...(meta ? { meta: JSON.parse(meta) as Record<string, unknown> } : {}),
            };
          }),
        };
      },
    });
    const credentials = { serverUrl: server.url, apiUser: server.user, apiKey: server.apiKey };
    const connection = new FtrackConnection(credentials);
    const storage = new FtrackServerStorage(credentials);
    return {
      encoder: new FtrackServerEncoder(connection, storage, { pollIntervalMs: 100 }),
      probe: local.resolve(TOKENS.MediaProbe),
      cleanup: async () => {
        await connection.close();
        await server.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
  { sequences: false, cancel: true },
);
