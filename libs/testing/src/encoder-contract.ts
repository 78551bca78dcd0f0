import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, type TestAPI } from 'vitest';
import {
  checkOutput,
  encodeInSegments,
  isEncodeError,
  planEncode,
  planSegments,
  silentLogger,
  type EncodePlan,
  type EncodeProfile,
  type Encoder,
  type MediaProbe,
  type MediaSource,
  type Progress,
} from '@ftrack-encode/core';
import { CONTRACT_PROFILE, CONTRACT_SLOW_PROFILE as SLOW_PROFILE } from './contract-profile.js';
import { mediaFixtures, type MediaFixtures } from './media-fixtures.js';
import { frameExactness } from './media-measure.js';
import { nodeFs } from './node-file-system.js';

export interface EncoderUnderTest {
  encoder: Encoder;
  /** The probe that backend's site uses (it must read what the encoder writes). */
  probe: MediaProbe;
  cleanup?: () => Promise<void>;
}

export interface EncoderContractCapabilities {
  /** Image sequences as input. */
  sequences: boolean;
  /** Abort mid-encode is supported (AbortSignal). */
  cancel: boolean;
  /** Segment-parallel encoding: capabilities().segments and Encoder.runStep (docs/segments.md). */
  segments?: boolean;
}

export interface EncoderContractOptions {
  fixtures?: MediaFixtures;
}

async function freshDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'encoder-contract-'));
}

/**
 * The behaviour every Encoder must have, in the keyv style: an adapter's test is
 * `describeEncoderContract(it, async () => ({ encoder, probe }), { sequences: true, cancel: true })`.
 */
export function describeEncoderContract(
  test: TestAPI,
  makeEncoder: () => Promise<EncoderUnderTest>,
  capabilities: EncoderContractCapabilities,
  options: EncoderContractOptions = {},
): void {
  const fixtures = options.fixtures ?? mediaFixtures();
  let subject: EncoderUnderTest;
  const dirs: string[] = [];

  async function plan(source: MediaSource, profile: EncodeProfile = CONTRACT_PROFILE): Promise<EncodePlan> {
    const outputDir = await freshDir();
    dirs.push(outputDir);
    const info = await subject.probe.probe(source);
    return planEncode({ source, info, profile, outputDir, capabilities: await subject.encoder.capabilities() });
  }

  async function expectValidOutputs(encodePlan: EncodePlan): Promise<void> {
    for (const planned of encodePlan.outputs) {
      const info = await subject.probe.probe({ kind: 'file', path: planned.tempPath });
      expect(checkOutput(planned, info), planned.name).toEqual([]);
    }
  }

  describe('Encoder contract', () => {
    beforeAll(async () => {
      subject = await makeEncoder();
    });
    afterAll(async () => {
      await subject?.cleanup?.();
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    });

    test('declares its capabilities', async () => {
      const caps = await subject.encoder.capabilities();
      expect(caps.id).toBe(subject.encoder.id);
      expect(caps.codecs).toEqual(expect.arrayContaining(['h264', 'mjpeg']));
      expect(caps.sequences).toBe(capabilities.sequences);
      expect(caps.version.length).toBeGreaterThan(0);
    });

    test('encodes a movie into every planned output, frame-exact at 23.976 fps', async () => {
      const encodePlan = await plan({ kind: 'file', path: await fixtures.movie23976() });
      const commands = await subject.encoder.describe(encodePlan);
      expect(commands.every((c) => c.every((a) => typeof a === 'string'))).toBe(true);
      const produced = await subject.encoder.encode(encodePlan);
      expect(produced.map((p) => p.name).sort()).toEqual(encodePlan.outputs.map((o) => o.name).sort());
      for (const p of produced) expect(p.path).toBe(encodePlan.outputs.find((o) => o.name === p.name)?.tempPath);
      await expectValidOutputs(encodePlan);
      expect(encodePlan.outputs.find((o) => o.name === 'review')?.withAudio).toBe(true);
    });

    if (capabilities.sequences) {
      test('encodes an image sequence', async () => {
        const sequence = await fixtures.pngSequence();
        const source = await subject.probe.locate(sequence.hashPattern);
        const encodePlan = await plan(source);
        expect(encodePlan.outputs[0]?.frameCount).toBe(sequence.last - sequence.first + 1);
        await subject.encoder.encode(encodePlan);
        await expectValidOutputs(encodePlan);
      });
    }

    test('reports monotonic encode progress that ends at 99 % or more', async () => {
      const encodePlan = await plan({ kind: 'file', path: await fixtures.movie2997() });
      const seen: Progress[] = [];
      await subject.encoder.encode(encodePlan, { onProgress: (p) => seen.push(p) });
      const percents = seen.filter((p) => p.stage === 'encode' && p.percent !== undefined).map((p) => p.percent!);
      expect(percents.length).toBeGreaterThan(0);
      for (let i = 1; i < percents.length; i++) expect(percents[i]!).toBeGreaterThanOrEqual(percents[i - 1]!);
      expect(percents[percents.length - 1]!).toBeGreaterThanOrEqual(99);
      expect(Math.max(...percents)).toBeLessThanOrEqual(100);
    });

    if (capabilities.cancel) {
      test('cancels mid-encode: E_CANCELLED and no file left', async () => {
        const encodePlan = await plan({ kind: 'file', path: await fixtures.cancelClip() }, SLOW_PROFILE);
        const controller = new AbortController();
        // Abort once frames are flowing (or after 2 s for backends that report progress rarely).
        const timer = setTimeout(() => controller.abort(), 2000);
        let framesSeen = 0;
        const error = await subject.encoder
          .encode(encodePlan, {
            signal: controller.signal,
            onProgress: (p) => {
              if (p.stage !== 'encode' || !p.frame) return;
              framesSeen = p.frame;
              controller.abort();
            },
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        clearTimeout(timer);
        expect(framesSeen).toBeLessThan(encodePlan.info.frameCount);
        expect(isEncodeError(error, 'E_CANCELLED'), String(error)).toBe(true);
        expect(await readdir(encodePlan.outputDir)).toEqual([]);
      });

      test('refuses to start when the signal is already aborted', async () => {
        const encodePlan = await plan({ kind: 'file', path: await fixtures.movie24() });
        const error = await subject.encoder.encode(encodePlan, { signal: AbortSignal.abort() }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isEncodeError(error, 'E_CANCELLED'), String(error)).toBe(true);
        expect(await readdir(encodePlan.outputDir)).toEqual([]);
      });
    }

    if (capabilities.segments) {
      test('encodes a movie in 3 segments at once and joins them: frame-exact, valid, no segment file left', async () => {
        expect((await subject.encoder.capabilities()).segments?.workers).toBeGreaterThan(0);
        const source = await fixtures.counterMovie();
        const encodePlan = await plan({ kind: 'file', path: source });
        const segmented = planSegments(encodePlan, 3);
        const seen: Progress[] = [];
        const produced = await encodeInSegments({ encoder: subject.encoder, fs: nodeFs, logger: silentLogger }, segmented, {
          onProgress: (p) => seen.push(p),
        });
        expect(produced.map((p) => p.path).sort()).toEqual(encodePlan.outputs.map((o) => o.tempPath).sort());
        await expectValidOutputs(encodePlan);
        for (const video of encodePlan.outputs.filter((o) => o.spec.kind === 'video')) {
          const { same, misplaced } = await frameExactness(video.tempPath, source);
          expect(same, video.name).toHaveLength(48);
          expect(misplaced, video.name).toEqual([]);
        }
        expect((await readdir(encodePlan.outputDir)).sort()).toEqual(encodePlan.outputs.map((o) => o.tempPath.slice(encodePlan.outputDir.length + 1)).sort());
        expect(seen.at(-1)?.percent).toBe(100);
        const commands = await Promise.all(segmented.joins.map((join) => subject.encoder.describeStep!({ kind: 'join', plan: encodePlan, join })));
        expect(commands.flat().every((c) => c.includes('concat') && c.includes('copy'))).toBe(true);
      });

      if (capabilities.cancel) {
        test('cancel during a segmented encode: E_CANCELLED, every segment stopped, no file left', async () => {
          const encodePlan = await plan({ kind: 'file', path: await fixtures.cancelClip() }, SLOW_PROFILE);
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), 2000);
          const error = await encodeInSegments({ encoder: subject.encoder, fs: nodeFs, logger: silentLogger }, planSegments(encodePlan, 2), {
            signal: controller.signal,
            onProgress: (p) => {
              if ((p.percent ?? 0) > 0) controller.abort();
            },
          }).then(
            () => undefined,
            (e: unknown) => e,
          );
          clearTimeout(timer);
          expect(isEncodeError(error, 'E_CANCELLED'), String(error)).toBe(true);
          expect(await readdir(encodePlan.outputDir)).toEqual([]);
        });
      }
    }

    test('fails cleanly on an input that is not media: no file left', async () => {
      const encodePlan = await plan({ kind: 'file', path: await fixtures.movie24() });
      const bogus = join(await freshDir(), 'not-media.mp4');
      dirs.push(bogus.slice(0, bogus.lastIndexOf('/')));
      await writeFile(bogus, 'this is a text file, not a movie\n'.repeat(100));
      const error = await subject.encoder.encode({ ...encodePlan, source: { kind: 'file', path: bogus } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isEncodeError(error, 'E_ENCODER_FAILED') || isEncodeError(error, 'E_SOURCE_UNREADABLE'), String(error)).toBe(true);
      expect(await readdir(encodePlan.outputDir)).toEqual([]);
    });
  });
}
