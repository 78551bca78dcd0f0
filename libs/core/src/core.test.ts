import { describe, expect, it } from 'vitest';
import {
  BUILTIN_PROFILES,
  EncodeError,
  ProfileCatalog,
  checkOutput,
  formatRational,
  parseProfile,
  parseRational,
  planEncode,
  profileHash,
  rational,
  renderName,
  resolveConfig,
  sequenceFramePath,
  sourceBaseName,
  type EncoderCapabilities,
} from './index.js';
import { sampleMediaInfo } from './testing/index.js';

const info = sampleMediaInfo;

const review = new ProfileCatalog().get('ftrack-review');
const file = { kind: 'file' as const, path: '/shots/sh010_comp_v003.mov' };

describe('rational frame rates', () => {
  it('keeps NTSC rates exact', () => {
    expect(formatRational(parseRational('24000/1001'))).toBe('24000/1001');
    expect(formatRational(parseRational('23.976'))).toBe('24000/1001');
    expect(formatRational(parseRational('29.97'))).toBe('30000/1001');
    expect(formatRational(parseRational('25'))).toBe('25');
    expect(() => parseRational('abc')).toThrow();
  });
});

describe('planEncode', () => {
  it('plans the review set from one source: 720p fit, 1080 variant, webm, thumbnail', () => {
    const plan = planEncode({ source: file, info: info(), profile: review, outputDir: '/out', planId: 'p1' });
    expect(plan.outputs.map((o) => [o.name, o.width, o.height])).toEqual([
      ['ftrackreview-mp4', 1280, 720],
      ['ftrackreview-mp4-1080', 1920, 1080],
      ['ftrackreview-webm', 1280, 720],
      ['thumbnail', 640, 360],
    ]);
    expect(plan.outputs[0]?.path).toBe('/out/sh010_comp_v003_ftrackreview-mp4.mp4');
    expect(plan.outputs[0]?.tempPath).toBe('/out/.sh010_comp_v003_ftrackreview-mp4.mp4.p1.partial.mp4');
    expect(plan.outputs[0]?.frameCount).toBe(240);
    expect(plan.outputs[3]?.frameIndex).toBe(119);
    expect(plan.outputs.every((o) => o.frameRate.num === 24000 && o.frameRate.den === 1001)).toBe(true);
  });

  it('skips the 1080 variant for a 720p source and never upscales', () => {
    const plan = planEncode({ source: file, info: info({ width: 640, height: 360 }), profile: review, outputDir: '/o' });
    expect(plan.skipped.map((s) => s.name)).toEqual(['ftrackreview-mp4-1080']);
    expect(plan.outputs[0]).toMatchObject({ width: 640, height: 360 });
  });

  it('makes odd and anamorphic sources square-pixel and even', () => {
    const odd = planEncode({ source: file, info: info({ width: 321, height: 181, audio: [] }), profile: review, outputDir: '/o' });
    expect(odd.outputs[0]).toMatchObject({ width: 322, height: 182, withAudio: false });
    const anamorphic = planEncode({ source: file, info: info({ width: 1024, height: 858, pixelAspect: rational(2) }), profile: review, outputDir: '/o' });
    // 2048x858 displayed, fit inside 1280x720
    expect(anamorphic.outputs[0]).toMatchObject({ width: 1280, height: 536 });
  });

  it('swaps vp9 for the backend fallback up front, or refuses before encoding', () => {
    const wasm: EncoderCapabilities = {
      id: 'wasm',
      version: '0.12.10',
      codecs: ['h264', 'vp8', 'mjpeg', 'png'],
      encoders: [],
      hardware: [],
      sequences: true,
      unsupported: [{ codec: 'vp9', reason: 'crashes' }],
      fallbacks: { vp9: 'vp8' },
    };
    const plan = planEncode({ source: file, info: info(), profile: review, outputDir: '/o', capabilities: wasm });
    expect(plan.outputs.find((o) => o.name === 'ftrackreview-webm')?.spec.codec).toBe('vp8');
    const noFallback = { ...wasm, fallbacks: {} };
    expect(() => planEncode({ source: file, info: info(), profile: review, outputDir: '/o', capabilities: noFallback })).toThrow(
      expect.objectContaining({ code: 'E_UNSUPPORTED' }),
    );
  });

  it('plans stills as review image + thumbnail', () => {
    const plan = planEncode({ source: { kind: 'file', path: '/a/still.png' }, info: info({ isStill: true, frameCount: 1 }), profile: review, outputDir: '/o' });
    expect(plan.outputs.map((o) => o.name)).toEqual(['ftrackreview-image', 'thumbnail']);
  });
});

describe('profiles', () => {
  it('validates built-ins and hashes them stably', () => {
    expect(BUILTIN_PROFILES.length).toBeGreaterThanOrEqual(2);
    expect(profileHash(review)).toBe(profileHash(new ProfileCatalog().get('ftrack-review')));
    expect(profileHash(review)).not.toBe(profileHash(new ProfileCatalog().get('proxy')));
  });

  it('rejects an unknown codec with E_PROFILE_INVALID naming the field', () => {
    const bad = { name: 'bad', outputs: [{ name: 'x', kind: 'video', codec: 'h266', container: 'mp4' }] };
    let error: unknown;
    try {
      parseProfile(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EncodeError);
    expect((error as EncodeError).code).toBe('E_PROFILE_INVALID');
    expect((error as EncodeError).message).toContain('profile.outputs.0.codec');
    expect(() => new ProfileCatalog().get('nope')).toThrow(/Unknown profile "nope"/);
  });

  it('lets config override a built-in by name', () => {
    const catalog = new ProfileCatalog([{ name: 'proxy', outputs: [{ name: 'p', kind: 'video', codec: 'h264', container: 'mp4', crf: 30 }] }]);
    expect(catalog.get('proxy').outputs[0]?.name).toBe('p');
  });
});

describe('naming and sequences', () => {
  it('derives names from sources', () => {
    expect(sourceBaseName({ kind: 'sequence', pattern: '/a/sh010_comp_v003.%04d.exr', originalPattern: '', first: 1, last: 2, padding: 4, missing: [] })).toBe(
      'sh010_comp_v003',
    );
    expect(renderName('{version}_{profile}.{ext}', { source: 's', version: 'v003', profile: 'ftrack-review', output: 'o', ext: 'mp4' })).toBe(
      'v003_ftrack-review.mp4',
    );
    expect(renderName('{source}/../{output}.{ext}', { source: 's', version: 'v', profile: 'p', output: 'o', ext: 'mp4' })).not.toContain('/');
    expect(sequenceFramePath({ pattern: '/a/f.%04d.exr' }, 7)).toBe('/a/f.0007.exr');
    expect(sequenceFramePath({ pattern: '/a/f.%d.exr' }, 7)).toBe('/a/f.7.exr');
  });
});

describe('checkOutput', () => {
  const plan = planEncode({ source: file, info: info(), profile: review, outputDir: '/o' });
  const mp4 = plan.outputs[0]!;
  it('accepts a matching output and names each failed check', () => {
    const good = info({ width: 1280, height: 720, moovBeforeMdat: true });
    expect(checkOutput(mp4, good)).toEqual([]);
    const bad = info({ width: 1280, height: 720, frameCount: 239, moovBeforeMdat: false, pixelFormat: 'yuv444p' });
    expect(
      checkOutput(mp4, bad)
        .map((c) => c.check)
        .sort(),
    ).toEqual(['faststart', 'frame-count', 'pixel-format']);
  });
});

describe('config', () => {
  it('layers file < env < flags and names a bad field', () => {
    const config = resolveConfig({
      file: { profile: 'proxy', ftrack: { apiUser: 'file-user' } },
      env: { FTRACK_SERVER: 'https://studio.ftrackapp.com', FTRACK_API_USER: 'env-user' },
      flags: { profile: 'ftrack-review' },
    });
    expect(config.profile).toBe('ftrack-review');
    expect(config.ftrack).toMatchObject({ serverUrl: 'https://studio.ftrackapp.com', apiUser: 'env-user' });
    expect(() => resolveConfig({ file: { threads: -1 }, fileName: 'x.json' })).toThrow(/threads/);
  });
});

describe('deterministicUuid', () => {
  it('is UUID-shaped, stable, and different for different inputs', async () => {
    const { deterministicUuid } = await import('./index.js');
    const a = deterministicUuid('v-1', 'sha256:aa', 'p', 'ftrackreview-mp4');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicUuid('v-1', 'sha256:aa', 'p', 'ftrackreview-mp4')).toBe(a);
    expect(deterministicUuid('v-1', 'sha256:aa', 'p', 'thumbnail')).not.toBe(a);
  });
});

describe('redactSecrets', () => {
  it('hides URL passwords, tokens, api keys and given secrets; keeps what a user needs to see', async () => {
    const { redactSecrets, redactValue, EncodeError } = await import('./index.js');
    expect(redactSecrets('http://pipeline:s3cret@ftrack.local:8080/api')).toBe('http://pipeline:[redacted]@ftrack.local:8080/api');
    expect(redactSecrets('redis://:hunter2@redis:6379/0')).toBe('redis://[redacted]@redis:6379/0');
    expect(redactSecrets('https://tok3n@host/x')).toBe('https://[redacted]@host/x');
    expect(redactSecrets('GET /component/get?id=1&apiKey=abc&x=1')).toBe('GET /component/get?id=1&apiKey=[redacted]&x=1');
    expect(redactSecrets('ftrack-api-key: abc', [])).toBe('ftrack-api-key: [redacted]');
    expect(redactSecrets('key K-123 leaked', ['K-123'])).toBe('key [redacted] leaked');
    expect(redactValue({ apiKey: 'x', nested: { url: 'http://u:p@h/' } })).toEqual({ apiKey: '[redacted]', nested: { url: 'http://u:[redacted]@h/' } });
    const error = new EncodeError('E_FTRACK_FAILED', 'cannot reach http://u:pw@h/', { hint: 'check http://u:pw@h/', details: { server: 'http://u:pw@h/' } });
    expect(JSON.stringify(error.toJSON())).not.toContain('pw');
  });
});
