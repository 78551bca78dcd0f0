import { describe, expect, it } from 'vitest';
import { parseProfile, planEncode, planSegments, ProfileCatalog, type MediaInfo, type SequenceSource } from '@ftrack-encode/core';
import { sampleMediaInfo } from '@ftrack-encode/testing';
import { buildEncodeInvocation } from './build-encode-invocation.js';
import { buildAudioInvocation, buildJoinInvocation } from './segment-invocations.js';

const review = new ProfileCatalog().get('ftrack-review');

function info(overrides: Partial<MediaInfo> = {}): MediaInfo {
  return sampleMediaInfo({ width: 1280, height: 720, timecode: '01:00:00:00', ...overrides });
}

function segmentsOf(overrides: Partial<MediaInfo> = {}, profile = review) {
  const plan = planEncode({ source: { kind: 'file', path: '/shots/plate.mov' }, info: info(overrides), profile, outputDir: '/out', planId: 'p1' });
  return planSegments(plan, 3);
}

const graphOf = (args: string[]) => args[args.indexOf('-filter_complex') + 1]!;

describe('segment invocations', () => {
  it('seeks an indexed movie to half a frame before the segment, then keeps exactly its frames', () => {
    const [first, second] = segmentsOf().segments.map((s) => buildEncodeInvocation(s).args);
    expect(first!.includes('-ss')).toBe(false);
    expect(graphOf(first!)).toContain('[0:v:0]setpts=PTS-STARTPTS,trim=end_frame=80,');
    // Frame 80 at 24000/1001 starts at 3.336667 s; the seek lands half a frame earlier.
    expect(second!.slice(second!.indexOf('-ss'), second!.indexOf('-ss') + 4)).toEqual(['-ss', '3.315812', '-i', '/shots/plate.mov']);
    expect(graphOf(second!)).toContain('[0:v:0]setpts=PTS-STARTPTS,trim=end_frame=80,');
    expect(second!.some((a) => a.includes('[a0]') || a === '-c:a')).toBe(false);
  });

  it('cuts an unindexed or variable-rate movie by frame index after its timing filters', () => {
    for (const overrides of [{ format: 'mpegts' }, { variableFrameRate: true }]) {
      const args = buildEncodeInvocation(segmentsOf(overrides).segments[1]!).args;
      expect(args.includes('-ss')).toBe(false);
      expect(graphOf(args)).toMatch(/trim=start_frame=80:end_frame=160,setpts=PTS-STARTPTS,/);
    }
  });

  it('offsets burn-in frame numbers and timecode by the segment start', () => {
    const profile = parseProfile({ ...review, name: 'burn', burnins: { fields: [{ position: 'top', text: '{frame} {timecode}' }] } });
    const graph = graphOf(buildEncodeInvocation(segmentsOf({}, profile).segments[2]!).args);
    expect(graph).toContain('%{eif\\\\:n+160\\\\:d}');
    // The timecode counts from the segment's first frame too (no start timecode given here: 00:00:00:00).
    expect(graph).toContain('mod((n+160)\\,24)');
  });

  it('reads only the segment frames of a gapped sequence, holding a missing first frame from before it', () => {
    const source: SequenceSource = {
      kind: 'sequence',
      pattern: '/seq/comp.%04d.png',
      originalPattern: '/seq/comp.####.png',
      first: 1001,
      last: 1012,
      padding: 4,
      missing: [1004, 1005, 1009],
    };
    const plan = planEncode({
      source,
      info: info({ frameCount: 12, audio: [], format: 'image2', codec: 'png' }),
      profile: review,
      outputDir: '/out',
      planId: 'p2',
      gapPolicy: 'hold',
    });
    const segment = planSegments(plan, 3).segments[1]!;
    const inv = buildEncodeInvocation(segment, { concatListPath: '/tmp/list.ffconcat' });
    const files = inv.files[0]!.contents.split('\n').filter((l) => l.startsWith('file '));
    expect(files).toEqual(["file '/seq/comp.1003.png'", "file '/seq/comp.1006.png'", "file '/seq/comp.1007.png'", "file '/seq/comp.1008.png'"]);
    const complete = buildEncodeInvocation(planSegments({ ...plan, source: { ...source, missing: [] } }, 3).segments[2]!).args;
    expect(complete[complete.indexOf('-start_number') + 1]).toBe('1009');
  });

  it('encodes the audio once over the whole picture, one file per output in its own codec', () => {
    const segmented = segmentsOf();
    const inv = buildAudioInvocation(segmented.plan, segmented.audio!.parts);
    expect(inv.args.filter((a) => a === '-i')).toHaveLength(1);
    expect(graphOf(inv.args)).toContain('apad=whole_dur=10.010000,atrim=end=10.010000,asplit=2');
    expect(inv.args.filter((a) => a === '-c:a')).toHaveLength(2);
    expect(inv.args).toContain('libopus');
    expect(inv.outputs.map((o) => o.path)).toEqual(segmented.audio!.parts.map((p) => p.path));
  });

  it('joins by stream copy from an ffconcat list with exact durations, with audio, faststart and the timecode', () => {
    const segmented = segmentsOf();
    const inv = buildJoinInvocation(segmented.plan, segmented.joins[0]!, '/tmp/j/segments.ffconcat');
    expect(inv.files[0]!.contents).toBe(
      segmented.joins[0]!.parts.map((p) => `file '${p.path}'\nduration 3.336667\n`)
        .join('')
        .replace(/^/, 'ffconcat version 1.0\n'),
    );
    expect(inv.args).toEqual(expect.arrayContaining(['-f', 'concat', '-safe', '0', '-c', 'copy', '-timecode', '01:00:00:00', '+faststart']));
    expect(inv.args.slice(inv.args.indexOf('-map'), inv.args.indexOf('-map') + 4)).toEqual(['-map', '0:v:0', '-map', '1:a:0']);
    expect(inv.args.at(-1)).toBe(segmented.plan.outputs[0]!.tempPath);
  });
});
