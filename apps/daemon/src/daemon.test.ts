import { describe, expect, it } from 'vitest';
import { resolveConfig } from '@ftrack-encode/core';
import { validateAdapterConfig } from '@ftrack-encode/composition';
import { farmSettings } from '@ftrack-encode/encoder-farm/descriptor';
import { isReviewMedia, matchAutoEncodeRule, type AddedComponent } from './auto-encode.js';
import { daemonSettings } from './daemon-settings.js';

const component = (over: Partial<AddedComponent> = {}): AddedComponent => ({
  componentId: 'c-1',
  name: 'main',
  versionId: 'v-1',
  assetType: 'upload',
  locationName: 'ftrack.server',
  ...over,
});

describe('auto-encode rules', () => {
  const rules = farmSettings(
    resolveConfig({
      file: {
        farm: {
          autoEncode: [
            { assetTypes: ['upload'], profile: 'ftrack-review' },
            { componentNames: ['plate'], profile: 'plates' },
          ],
        },
      },
    }),
  ).autoEncode;

  it('selects by asset type or component name, first rule wins', () => {
    expect(matchAutoEncodeRule(rules, component())?.profile).toBe('ftrack-review');
    expect(matchAutoEncodeRule(rules, component({ assetType: 'img', name: 'plate' }))?.profile).toBe('plates');
    expect(matchAutoEncodeRule(rules, component({ assetType: 'img' }))).toBeUndefined();
  });

  it('never encodes review media or components without a version', () => {
    for (const name of ['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']) {
      expect(isReviewMedia(name)).toBe(true);
      expect(matchAutoEncodeRule(rules, component({ name }))).toBeUndefined();
    }
    expect(matchAutoEncodeRule(rules, component({ versionId: null }))).toBeUndefined();
  });
});

describe('daemon settings', () => {
  it('defaults concurrency to cores / threadsPerEncode and reads the stall knobs from the environment', () => {
    const config = validateAdapterConfig(resolveConfig({ file: { farm: { threadsPerEncode: 1 } } }), { REDIS_URL: 'redis://r:6379' });
    const settings = daemonSettings(config, {}, { FTRACK_ENCODE_STALLED_INTERVAL_MS: '1000', FTRACK_ENCODE_LOCK_DURATION_MS: '2000' });
    expect(settings.redisUrl).toBe('redis://r:6379');
    expect(settings.concurrency).toBeGreaterThanOrEqual(1);
    expect(settings.timings).toEqual({ stalledIntervalMs: 1000, lockDurationMs: 2000 });
    expect(() => daemonSettings(config, {}, { FTRACK_ENCODE_LOCK_DURATION_MS: 'soon' })).toThrow(/FTRACK_ENCODE_LOCK_DURATION_MS/);
    // A stall count of 0 is a setting (fail at the first stall), not "unset".
    expect(daemonSettings(config, {}, { FTRACK_ENCODE_MAX_STALLED_COUNT: '0' }).timings).toEqual({ maxStalledCount: 0 });
    expect(() => daemonSettings(config, {}, { FTRACK_ENCODE_MAX_STALLED_COUNT: '1.5' })).toThrow(/whole number/);
  });

  it('runs one segment step at a time beside the encode slots unless farm.stepConcurrency says more', () => {
    const settings = (farm: object) => daemonSettings(validateAdapterConfig(resolveConfig({ file: { farm } }), {}), {}, {});
    expect(settings({}).stepConcurrency).toBe(1);
    expect(settings({ stepConcurrency: 2 }).stepConcurrency).toBe(2);
    expect(() => settings({ stepConcurrency: 0 })).toThrow(/stepConcurrency/);
  });
});
