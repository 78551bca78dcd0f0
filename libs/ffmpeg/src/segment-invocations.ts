import { EncodeError, type AudioPart, type EncodePlan, type JoinPart, type SegmentStep } from '@ftrack-encode/core';
import { audioGraph } from './audio-graph.js';
import { muxArgs, outputPathArg, slateSilence, timecodeArgs } from './build-encode-invocation.js';
import type { FfmpegInvocation, InvocationOptions } from './invocation.js';
import { audioCodecArgs, MUXERS } from './output-args.js';
import { inputPathArg } from './probe.js';
import { concatQuote } from './sequence-input.js';

function head(options: InvocationOptions): string[] {
  return ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...(options.progress ? ['-progress', 'pipe:1', '-nostats'] : [])];
}

function pictureSeconds(plan: EncodePlan, frames: number): number {
  return (frames * plan.info.frameRate.den) / plan.info.frameRate.num;
}

/**
 * The review audio of a segment-parallel encode, ONCE over the whole picture: the very audio graph
 * of a single pass (aligned to the first frame, stereo 48 kHz, padded/trimmed to the picture), one
 * audio-only file per video output in its own codec and container, muxed in at the join. Encoding
 * audio per segment would restart the encoder's priming at every boundary: a gap or click.
 */
export function buildAudioInvocation(plan: EncodePlan, parts: readonly AudioPart[], options: InvocationOptions = {}): FfmpegInvocation {
  if (plan.source.kind !== 'file') throw new EncodeError('E_INTERNAL', 'Only a movie has audio to encode.');
  const audio = audioGraph(plan, parts.length);
  if (!audio) throw new EncodeError('E_INTERNAL', `Plan ${plan.id} has no audio to encode.`);
  const graph = [audio.graph];
  const outputArgv: string[] = [];
  parts.forEach((part, i) => {
    const planned = plan.outputs.find((o) => o.name === part.output);
    if (!planned || planned.spec.kind !== 'video') throw new EncodeError('E_INTERNAL', `No video output "${part.output}" for its audio.`);
    let label = audio.labels[i]!;
    if (planned.slate) {
      graph.push(slateSilence(planned, label));
      label = `${label}s`;
    }
    outputArgv.push('-map', `[${label}]`, ...audioCodecArgs(planned.spec, 2), '-ar', '48000', '-vn', '-sn', '-dn', '-fflags', '+bitexact');
    outputArgv.push('-f', MUXERS[planned.spec.container], outputPathArg(part.path));
  });
  const frames = plan.outputs.find((o) => o.spec.kind === 'video')?.frameCount ?? plan.info.frameCount;
  return {
    args: [...head(options), '-i', inputPathArg(plan.source.path), '-filter_complex', graph.join(';'), ...outputArgv],
    files: [],
    links: [],
    outputs: parts.map((p) => ({ name: p.output, path: p.path })),
    expectedFrames: frames,
    expectedDurationSeconds: pictureSeconds(plan, frames),
  };
}

/**
 * One output of a segment-parallel encode: its segments joined by the concat demuxer with stream
 * copy (no re-encode; every segment starts with a keyframe), the audio muxed in, written like a
 * single pass writes it (faststart mp4, bitexact, the timecode track). Each list entry states its
 * exact duration (frames / rate) so the next segment's timestamps continue without a gap or overlap.
 */
export function buildJoinInvocation(plan: EncodePlan, join: JoinPart, listPath: string, options: InvocationOptions = {}): FfmpegInvocation {
  const spec = join.output.spec;
  if (spec.kind !== 'video') throw new EncodeError('E_INTERNAL', `Output "${join.output.name}" is not a video: nothing to join.`);
  const lines = ['ffconcat version 1.0'];
  for (const part of join.parts) lines.push(`file ${concatQuote(part.path)}`, `duration ${pictureSeconds(plan, part.frames).toFixed(6)}`);
  const args = [...head(options), '-f', 'concat', '-safe', '0', '-i', inputPathArg(listPath)];
  if (join.audio) args.push('-i', inputPathArg(join.audio));
  args.push('-map', '0:v:0', ...(join.audio ? ['-map', '1:a:0'] : []), '-c', 'copy', ...timecodeArgs(plan, spec), '-sn', '-dn');
  args.push(...muxArgs(spec, join.output.tempPath));
  const frames = join.parts.reduce((sum, p) => sum + p.frames, 0);
  return {
    args,
    files: [{ path: listPath, contents: `${lines.join('\n')}\n` }],
    links: [],
    outputs: [{ name: join.output.name, path: join.output.tempPath }],
    expectedFrames: frames,
    expectedDurationSeconds: pictureSeconds(plan, frames),
  };
}

/**
 * The command of one segment step (the audio pass or a join), for every backend alike; a join's
 * concat list is written in `listDir` (a backend with its own file system passes a directory in it).
 */
export function buildStepInvocation(step: SegmentStep, listDir: string, options: InvocationOptions = {}): FfmpegInvocation {
  if (step.kind === 'audio') return buildAudioInvocation(step.plan, step.parts, options);
  const listPath = `${listDir.replace(/[\\/]+$/, '')}/.${step.plan.id}-join-${step.join.output.name}.ffconcat`;
  return buildJoinInvocation(step.plan, step.join, listPath, options);
}
