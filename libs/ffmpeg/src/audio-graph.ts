import type { EncodePlan } from '@ftrack-encode/core';

export interface AudioGraph {
  /** Filter graph chains (joined to the video graph with ";"). */
  graph: string;
  /** One label per output that carries audio, in output order. */
  labels: string[];
}

function seconds(value: number): string {
  return value.toFixed(6);
}

/**
 * Review audio: every chosen track aligned to the first video frame (audio before it is cut, a late
 * start is delayed with silence), each made stereo (mono duplicated to both sides, surround
 * downmixed), two mono tracks joined as left/right, more tracks mixed, resampled to 48 kHz, and
 * padded/trimmed to exactly the picture's length.
 */
export function audioGraph(plan: EncodePlan, outputs: number): AudioGraph | undefined {
  const tracks = plan.audioTracks ?? plan.info.audio.map((_, i) => i);
  if (tracks.length === 0 || outputs === 0) return undefined;
  const videoStart = plan.info.videoStart ?? 0;
  const video = plan.outputs.find((o) => o.spec.kind === 'video');
  // The picture without a slate: the slate's silence is added per output.
  const pictureSeconds = ((video ? video.frameCount - (video.slate?.frames ?? 0) : plan.info.frameCount) * plan.info.frameRate.den) / plan.info.frameRate.num;
  const chains: string[] = [];
  const aligned = tracks.map((position, n) => {
    const track = plan.info.audio[position]!;
    const offset = videoStart - (track.start ?? videoStart);
    const steps = ['asetpts=PTS-STARTPTS'];
    if (offset > 0.0005) steps.push(`atrim=start=${seconds(offset)}`, 'asetpts=PTS-STARTPTS');
    else if (offset < -0.0005) steps.push(`adelay=delays=${Math.round(-offset * 1000)}:all=1`);
    const mono = track.channels === 1;
    const joinAsPair = tracks.length === 2 && tracks.every((p) => plan.info.audio[p]?.channels === 1);
    if (!joinAsPair) steps.push(mono ? 'pan=stereo|c0=c0|c1=c0' : 'aformat=channel_layouts=stereo');
    chains.push(`[0:a:${position}]${steps.join(',')}[at${n}]`);
    return `[at${n}]`;
  });
  let mixed: string;
  if (aligned.length === 1) mixed = aligned[0]!;
  else if (aligned.length === 2 && tracks.every((p) => plan.info.audio[p]?.channels === 1)) {
    chains.push(`${aligned.join('')}join=inputs=2:channel_layout=stereo:map=0.0-FL|1.0-FR[amix]`);
    mixed = '[amix]';
  } else {
    chains.push(`${aligned.join('')}amix=inputs=${aligned.length}:duration=longest:normalize=1[amix]`);
    mixed = '[amix]';
  }
  const labels = Array.from({ length: outputs }, (_, i) => `a${i}`);
  const finish = [
    'aresample=48000',
    'aformat=sample_rates=48000:channel_layouts=stereo',
    `apad=whole_dur=${seconds(pictureSeconds)}`,
    `atrim=end=${seconds(pictureSeconds)}`,
  ];
  chains.push(`${mixed}${finish.join(',')}${outputs > 1 ? `,asplit=${outputs}` : ''}${labels.map((l) => `[${l}]`).join('')}`);
  return { graph: chains.join(';'), labels };
}
