import 'reflect-metadata';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncodeMedia, ProfileCatalog, silentLogger, TOKENS, type EncodeMediaResult } from '@ftrack-encode/core';
import { registerNodePlatform } from '@ftrack-encode/node-platform';
import { mediaFixtures } from '@ftrack-encode/testing';
import { NativeQcRenderer, registerNativeEncoder } from './index.js';

const fixtures = mediaFixtures();
let encoded: EncodeMediaResult;
let renderer: NativeQcRenderer;
const made: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

beforeAll(async () => {
  const scope = container.createChildContainer();
  registerNodePlatform(scope, { logger: silentLogger });
  registerNativeEncoder(scope);
  renderer = scope.resolve(TOKENS.QcRenderer) as NativeQcRenderer;
  const outputDir = await tempDir('native-qc-out-');
  encoded = await scope.resolve(EncodeMedia).run(await fixtures.movie24(), new ProfileCatalog().get('ftrack-review'), { outputDir, qualityGate: false });
}, 120_000);

const targets = () => encoded.plan.outputs.map((planned) => ({ planned, path: encoded.outputs.find((o) => o.name === planned.name)!.path }));

describe('NativeQcRenderer', () => {
  it('is what the native encoder registers for TOKENS.QcRenderer', () => {
    expect(renderer).toBeInstanceOf(NativeQcRenderer);
  });

  it("measures every frame of each video output, writes the sheet and both sides' stills, and reports its three ffmpeg passes", async () => {
    const dir = await tempDir('native-qc-report-');
    const findings = await renderer.render(encoded.plan, targets(), { dir, frames: 3 });
    const videos = encoded.plan.outputs.filter((o) => o.spec.kind === 'video');
    expect(findings.outputs.map((o) => o.name)).toEqual(videos.map((v) => v.name));
    for (const output of findings.outputs) {
      expect(output.ssim).toHaveLength(24);
      expect(output.psnr).toHaveLength(24);
      expect(Math.min(...output.ssim)).toBeGreaterThan(0.9);
    }
    expect(findings.contactSheet).toMatchObject({ file: 'contact-sheet.png', frames: [0, 12, 23], columns: 3, rows: 1 });
    expect(findings.middleFrame).toBe(11);
    expect(findings.commands).toHaveLength(3);
    expect(findings.commands.every((c) => /ffmpeg$/.test(c[0]!))).toBe(true);
    const written = await readdir(dir);
    const stills = findings.outputs.flatMap((o) => [o.source, o.review]).flatMap((s) => [s.frame, s.waveform, s.vectorscope]);
    expect(written.sort()).toEqual(['contact-sheet.png', ...stills].sort());
  }, 60_000);

  it('stops with E_CANCELLED when cancelled', async () => {
    const dir = await tempDir('native-qc-report-');
    const controller = new AbortController();
    controller.abort();
    await expect(renderer.render(encoded.plan, targets(), { dir }, { signal: controller.signal })).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });

  it('needs a video output', async () => {
    const dir = await tempDir('native-qc-report-');
    const images = targets().filter((t) => t.planned.spec.kind !== 'video');
    await expect(renderer.render(encoded.plan, images, { dir })).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
