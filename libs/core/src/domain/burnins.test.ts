import { describe, expect, it } from 'vitest';
import { planEncode, ProfileCatalog, parseProfile, rational, resolveBurninText } from '../index.js';
import { sampleMediaInfo } from '../testing/index.js';

const values = { values: { shot: 'sh010', version: 7, empty: '' }, perFrame: { firstFrame: 1001, timecode: '01:00:00:00', rate: 24 } };

describe('burn-in tokens', () => {
  it('fills names, pads numbers, keeps per-frame tokens for ffmpeg and reports unknown ones', () => {
    const { segments, missing } = resolveBurninText('{shot} v{version:03} f{frame:4} tc {timecode} {task}{empty} 100%', values);
    expect(segments).toEqual([
      { kind: 'text', text: 'sh010 v007 f' },
      { kind: 'frame', start: 1001, pad: 4 },
      { kind: 'text', text: ' tc ' },
      { kind: 'timecode', start: '01:00:00:00', rate: 24 },
      { kind: 'text', text: '  100%' },
    ]);
    expect(missing).toEqual(['task', 'empty']);
  });

  it('goes on the video outputs by default (the thumbnail stays clean), or on the outputs named', () => {
    const info = sampleMediaInfo({ format: 'mov', frameRate: rational(24), frameCount: 48, duration: 2, audio: [], moovBeforeMdat: true });
    const base = new ProfileCatalog().get('ftrack-review');
    const profile = parseProfile({ ...base, name: 'burned', burnins: { fields: [{ position: 'top-left', text: '{shot} {resolution}' }] } });
    const plan = planEncode({ source: { kind: 'file', path: '/a.mov' }, info, profile, outputDir: '/o', burnins: values });
    const burned = plan.outputs.filter((o) => o.burnins).map((o) => o.name);
    expect(burned).toEqual(plan.outputs.filter((o) => o.spec.kind === 'video').map((o) => o.name));
    const mp4 = plan.outputs.find((o) => o.name === 'ftrackreview-mp4')!;
    expect(mp4.burnins?.fields[0]?.segments).toEqual([{ kind: 'text', text: 'sh010 1280x720' }]);
    const only = parseProfile({ ...profile, burnins: { ...profile.burnins, outputs: ['thumbnail'] } });
    expect(
      planEncode({ source: { kind: 'file', path: '/a.mov' }, info, profile: only, outputDir: '/o' })
        .outputs.filter((o) => o.burnins)
        .map((o) => o.name),
    ).toEqual(['thumbnail']);
    expect(() => parseProfile({ ...profile, burnins: { ...profile.burnins, outputs: ['nope'] } })).toThrow(/no output named "nope"/);
  });
});

describe('profiles that extend another', () => {
  it('take everything from the base and replace only what they give', () => {
    const catalog = new ProfileCatalog([{ name: 'dailies', extends: 'ftrack-review', burnins: { fields: [{ position: 'top', text: '{shot}' }] } } as never]);
    const dailies = catalog.get('dailies');
    expect(dailies.outputs.map((o) => o.name)).toEqual(catalog.get('ftrack-review').outputs.map((o) => o.name));
    expect(dailies.burnins?.fields).toHaveLength(1);
    expect(() => new ProfileCatalog([{ name: 'x', extends: 'nope' } as never])).toThrow(/profiles\[0\]\.extends: no profile named "nope"/);
  });
});
