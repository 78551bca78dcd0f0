import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { silentLogger } from '@ftrack-encode/core';
import { describeEncoderContract, mediaFixtures } from '@ftrack-encode/testing';
import { NativeEncoder, NativeMediaProbe } from '@ftrack-encode/encoder-native';
import { NodeFileSystem, NodeHasher } from '@ftrack-encode/node-platform';
import { startRedis } from './testing/redis-server.js';
import { FarmClient, FarmEncoder, FarmWorker } from './index.js';

// FarmEncoder against a real Redis and an in-test worker running the real native ffmpeg (two jobs at
// once, so the segments of a segmented encode run side by side as separate jobs).
describeEncoderContract(
  it,
  async () => {
    const redis = await startRedis();
    const scratchDir = await mkdtemp(join(tmpdir(), 'farm-contract-'));
    const probe = new NativeMediaProbe({});
    const worker = await FarmWorker.start(
      { encoder: new NativeEncoder({}), probe, hasher: new NodeHasher(), fs: new NodeFileSystem(), logger: silentLogger, scratchDir },
      { redisUrl: redis.url, concurrency: 2 },
    );
    // A fast retry backoff: the "not media" case is retried (E_ENCODER_FAILED is transient by policy).
    const client = new FarmClient({ redisUrl: redis.url, jobOptions: { backoff: { type: 'fixed', delay: 50 } } });
    return {
      encoder: new FarmEncoder(client, new NodeHasher()),
      probe,
      cleanup: async () => {
        await client.close();
        await worker.close({ deadlineMs: 5000 });
        await redis.stop();
        await rm(scratchDir, { recursive: true, force: true });
      },
    };
  },
  { sequences: true, cancel: true, segments: true },
  { fixtures: mediaFixtures(join(tmpdir(), 'ftrack-encode-farm-fixtures')) },
);
