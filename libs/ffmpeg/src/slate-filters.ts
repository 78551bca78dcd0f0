import { formatRational, sequenceFramePath, toNumber, type EncodePlan, type PlannedOutput } from '@ftrack-encode/core';
import { DEFAULT_BURNIN_FONT } from './burnin-filters.js';
import { escapeFilterText } from './escape-filter-text.js';
import { inputPathArg } from './probe.js';

/** Extra inputs a slate reads: the middle frame (its own seek, so the encode never buffers up to it) and the logo. */
export interface SlateInputs {
  args: string[];
  thumbnail?: number;
  logo?: number;
}

export function slateInputs(plan: EncodePlan, planned: PlannedOutput, nextIndex: number): SlateInputs {
  const slate = planned.slate;
  if (!slate) return { args: [] };
  const args: string[] = [];
  let index = nextIndex;
  const inputs: SlateInputs = { args };
  if (slate.thumbnail) {
    const layer = plan.layer && plan.info.codec === 'exr' ? ['-layer', plan.layer] : [];
    if (plan.source.kind === 'sequence') {
      const source = plan.source;
      // The middle frame of the sequence, or the nearest earlier frame that exists.
      let frame = source.first + slate.thumbnailFrame;
      while (frame > source.first && source.missing.includes(frame)) frame -= 1;
      args.push(...layer, '-i', inputPathArg(sequenceFramePath(source, frame)));
    } else {
      const seconds = (slate.thumbnailFrame / toNumber(plan.info.frameRate)).toFixed(6);
      args.push(...layer, '-ss', seconds, '-i', inputPathArg(plan.source.path));
    }
    inputs.thumbnail = index++;
  }
  if (slate.logo) {
    args.push('-i', inputPathArg(slate.logo));
    inputs.logo = index++;
  }
  return inputs;
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/**
 * The slate of one output as graph chains ending in [label]: a dark card of the output's size and
 * rate, the table drawn line by line, the middle frame (through the same display transform) top
 * right, the logo bottom right; then the output's pixel format, ready to be concatenated before
 * the picture.
 */
export function slateChains(plan: EncodePlan, planned: PlannedOutput, inputs: SlateInputs, colourFilters: readonly string[], label: string): string[] {
  const slate = planned.slate!;
  const { width: w, height: h } = planned;
  const size = Math.max(10, Math.round(h * 0.035));
  const margin = Math.round(h * 0.06);
  const font = escapeFilterText(slate.fontFile ?? DEFAULT_BURNIN_FONT);
  const pixelFormat = planned.spec.kind === 'video' ? planned.spec.pixelFormat : 'yuv420p';
  const chains: string[] = [];
  let card = `color=c=0x161616:s=${w}x${h}:r=${formatRational(planned.frameRate)},trim=end_frame=${slate.frames},setsar=1`;
  slate.lines.forEach((line, i) => {
    card += `,drawtext=fontfile=${font}:text=${escapeFilterText(line)}:expansion=none:fontsize=${size}:fontcolor=white:x=${margin}:y=${margin + Math.round(i * size * 1.6)}`;
  });
  let current = `${label}c`;
  chains.push(`${card}[${current}]`);
  if (inputs.thumbnail !== undefined) {
    // One frame, held by the overlay for the whole slate.
    chains.push(`[${inputs.thumbnail}:v:0]${['trim=end_frame=1', ...colourFilters, `scale=${even(w * 0.4)}:-2`, 'setsar=1'].join(',')}[${label}t]`);
    chains.push(`[${current}][${label}t]overlay=x=W-w-${margin}:y=${margin}:eof_action=repeat[${label}ct]`);
    current = `${label}ct`;
  }
  if (inputs.logo !== undefined) {
    chains.push(`[${inputs.logo}:v:0]trim=end_frame=1,scale=-2:${even(h * 0.12)},setsar=1[${label}l]`);
    chains.push(`[${current}][${label}l]overlay=x=W-w-${margin}:y=H-h-${margin}:eof_action=repeat[${label}cl]`);
    current = `${label}cl`;
  }
  chains.push(`[${current}]trim=end_frame=${slate.frames},format=${pixelFormat},setsar=1[${label}]`);
  return chains;
}

/** Files the slate reads besides the inputs: its font. */
export function slateFont(planned: PlannedOutput): string | undefined {
  return planned.slate ? (planned.slate.fontFile ?? DEFAULT_BURNIN_FONT) : undefined;
}
