import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEncodeError } from '@ftrack-encode/core';
import { ACES_STYLE_OCIO_CONFIG } from '@ftrack-encode/testing';
import { derivedConfig, OcioBaker, parseOcioDisplays } from './ocio-baker.js';

let dir: string;
let config: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocio-baker-'));
  config = join(dir, 'config.ocio');
  await writeFile(config, ACES_STYLE_OCIO_CONFIG);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('OcioBaker (Debian opencolorio-tools)', () => {
  it('reads roles, displays and views from the YAML; colourspaces from ociocheck', async () => {
    expect(parseOcioDisplays(ACES_STYLE_OCIO_CONFIG)).toEqual({
      roles: { default: 'ACES2065-1', reference: 'ACES2065-1', scene_linear: 'ACEScg', compositing_log: 'ACEScct' },
      displays: [
        { name: 'sRGB', views: ['ACES 1.0 - SDR Video', 'Raw'] },
        { name: 'Rec.1886', views: ['ACES 1.0 - SDR Video'] },
      ],
      viewColourspaces: { sRGB: { Raw: 'Raw' } },
      dataColourspaces: ['Raw'],
      defaultDisplay: 'sRGB',
    });
    const info = await new OcioBaker({ cacheDir: join(dir, 'luts') }).inspect(config);
    expect(info.colourspaces).toEqual(['sRGB - Display', 'Rec.1886 - Display', 'ACES2065-1', 'ACEScg', 'ACEScct', 'Raw']);
    expect(info.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a derived config adds the display/view as a colourspace and keeps relative LUT paths working', () => {
    const derived = derivedConfig('search_path: luts\ncolorspaces:\n  - !<ColorSpace>\n    name: a\n', '/studio/ocio', 'sRGB', 'Film');
    expect(derived).toContain('search_path: "/studio/ocio/luts"');
    expect(derived).toContain('from_scene_reference: !<DisplayViewTransform> {src: __ftrack_encode_scene_reference, display: "sRGB", view: "Film"}');
    expect(derivedConfig('colorspaces:\n', '/studio/ocio', 'd', 'v').startsWith('search_path: "/studio/ocio"\n')).toBe(true);
  });

  it('bakes a cinespace LUT with a shaper once, then reuses it from the cache', async () => {
    const cacheDir = join(dir, 'cache');
    const baker = new OcioBaker({ cacheDir });
    const info = await baker.inspect(config);
    const request = { config: info, inputSpace: 'ACEScg', display: 'sRGB', view: 'ACES 1.0 - SDR Video', shaperSpace: 'ACEScct', cubeSize: 17 };
    const lut = await baker.bake(request);
    expect(lut.path).toBe(join(cacheDir, `${lut.hash}.csp`));
    const text = await readFile(lut.path, 'utf8');
    expect(text.startsWith('CSPLUTV100\n3D')).toBe(true);
    expect(text).toContain('17 17 17');
    expect(await readdir(cacheDir)).toEqual([`${lut.hash}.csp`]);
    expect(await baker.bake(request)).toEqual(lut);
    expect((await baker.bake({ ...request, view: 'Raw' })).hash).not.toBe(lut.hash);
  });

  it('a data view (Raw) passes linear input through: the shaper is left out, or it would stay applied', async () => {
    const baker = new OcioBaker({ cacheDir: join(dir, 'data-view') });
    const info = await baker.inspect(config);
    const raw = { config: info, inputSpace: 'ACEScg', display: 'sRGB', view: 'Raw', cubeSize: 17 };
    const shaped = await baker.bake({ ...raw, shaperSpace: 'ACEScct' });
    // The same LUT (hash and file) as a bake that never had a shaper: the picture is the input's values.
    expect(shaped).toEqual(await baker.bake(raw));
  });

  it('an OCIO v1 config (views are colourspaces) bakes straight from the config, active displays/views first', async () => {
    const v1 = join(dir, 'v1.ocio');
    await writeFile(
      v1,
      [
        'ocio_profile_version: 1',
        'search_path: ""',
        'strictparsing: true',
        'roles:',
        '  scene_linear: linear',
        '  default: linear',
        'displays:',
        '  Film:',
        '    - !<View> {name: Log, colorspace: log}',
        '  Monitor:',
        '    - !<View> {name: Raw, colorspace: linear}',
        '    - !<View> {name: Gamma, colorspace: gamma22}',
        'active_displays: [Monitor, Film]',
        'active_views: [Gamma, Raw, Log]',
        'colorspaces:',
        '  - !<ColorSpace>',
        '    name: linear',
        '    bitdepth: 32f',
        '  - !<ColorSpace>',
        '    name: gamma22',
        '    from_reference: !<ExponentTransform> {value: [0.454545, 0.454545, 0.454545, 1]}',
        '  - !<ColorSpace>',
        '    name: log',
        '    from_reference: !<LogTransform> {base: 10}',
        '',
      ].join('\n'),
    );
    const baker = new OcioBaker({ cacheDir: join(dir, 'v1-luts') });
    const info = await baker.inspect(v1);
    expect(info.displays).toEqual([
      { name: 'Monitor', views: ['Gamma', 'Raw'] },
      { name: 'Film', views: ['Log'] },
    ]);
    expect(info.defaultDisplay).toBe('Monitor');
    const lut = await baker.bake({ config: info, inputSpace: 'linear', display: 'Monitor', view: 'Gamma', cubeSize: 9 });
    expect(await readFile(lut.path, 'utf8')).toContain('9 9 9');
  });

  it('an unreadable or invalid config is E_CONFIG_INVALID', async () => {
    const baker = new OcioBaker({ cacheDir: join(dir, 'luts') });
    const missing = await baker.inspect(join(dir, 'nope.ocio')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEncodeError(missing, 'E_CONFIG_INVALID')).toBe(true);
    const broken = join(dir, 'broken.ocio');
    await writeFile(
      broken,
      'ocio_profile_version: 2.1\ncolorspaces:\n  - !<ColorSpace>\n    name: a\n    to_scene_reference: !<FileTransform> {src: missing.cube}\n',
    );
    const invalid = await baker.inspect(broken).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEncodeError(invalid, 'E_CONFIG_INVALID'), String(invalid)).toBe(true);
  });
});
