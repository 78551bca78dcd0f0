import type { BurninSegment, PlannedOutput, ResolvedBurninField, ResolvedBurnins } from '@ftrack-encode/core';
import { escapeFilterText } from './escape-filter-text.js';

/** DejaVu Sans from Debian's fonts-dejavu-core (installed by tools/ensure-system-deps.sh). */
export const DEFAULT_BURNIN_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export function burninFont(burnins: Pick<ResolvedBurnins, 'fontFile'>): string {
  return burnins.fontFile ?? DEFAULT_BURNIN_FONT;
}

/**
 * Text as drawtext's own expansion reads it: `\` and `%` literal, per-frame values as %{eif:...}.
 * `offset`: the source frame the graph's frame 0 is (a segment's first frame), so numbers stay the source's.
 */
export function drawtextText(segments: readonly BurninSegment[], offset = 0): string {
  return segments
    .map((segment) => {
      if (segment.kind === 'text') return segment.text.replace(/[\\%]/g, (c) => `\\${c}`);
      if (segment.kind === 'frame') return `%{eif:n+${segment.start + offset}:d${segment.pad ? `:${segment.pad}` : ''}}`;
      return timecodeExpansion(segment.start, segment.rate, offset);
    })
    .join('');
}

/** hh:mm:ss:ff counted on from the source's start timecode (non-drop-frame, at the rounded rate). */
function timecodeExpansion(start: string, rate: number, offset: number): string {
  const [h = 0, m = 0, s = 0, f = 0] = start.split(/[:;.]/).map((p) => Number(p) || 0);
  const first = ((h * 60 + m) * 60 + s) * rate + f + offset;
  const total = `(n+${first})`;
  const part = (expr: string) => `%{eif:${expr}:d:2}`;
  return [
    part(`mod(floor(${total}/${rate * 3600}),24)`),
    part(`mod(floor(${total}/${rate * 60}),60)`),
    part(`mod(floor(${total}/${rate}),60)`),
    part(`mod(${total},${rate})`),
  ].join(':');
}

function position(field: ResolvedBurninField, margin: string): { x: string; y: string } {
  if (field.position === undefined) return { x: `${field.x ?? 0}*w`, y: `${field.y ?? 0}*h` };
  const [vertical, horizontal] = field.position.includes('-')
    ? field.position.split('-')
    : ['top', 'bottom', 'center'].includes(field.position)
      ? [field.position, 'center']
      : ['center', field.position];
  const x = horizontal === 'left' ? margin : horizontal === 'right' ? `w-text_w-${margin}` : '(w-text_w)/2';
  const y = vertical === 'top' ? margin : vertical === 'bottom' ? `h-text_h-${margin}` : '(h-text_h)/2';
  return { x, y };
}

const colour = (c: string, alpha: number) => `${c.startsWith('#') ? `0x${c.slice(1)}` : c}@${alpha}`;

/**
 * One drawtext per field, after the output's scale so the text is sized for the picture it lands
 * on (font size and margin relative to the output height). Every text goes through the one
 * escaping function; drawtext's own expansion is used only for frame numbers and timecode.
 */
export function burninFilters(planned: Pick<PlannedOutput, 'height' | 'burnins'>, frameOffset = 0): string[] {
  const burnins = planned.burnins;
  if (!burnins) return [];
  const size = Math.max(8, Math.round(burnins.fontSize * planned.height));
  const margin = String(Math.round(size * 0.6));
  return burnins.fields.map((field) => {
    const { x, y } = position(field, margin);
    const options = [
      `fontfile=${escapeFilterText(burninFont(burnins))}`,
      `text=${escapeFilterText(drawtextText(field.segments, frameOffset))}`,
      'expansion=normal',
      `fontsize=${size}`,
      `fontcolor=${colour(burnins.color, burnins.opacity)}`,
      `x=${x}`,
      `y=${y}`,
      ...(burnins.box ? ['box=1', `boxcolor=${colour('black', burnins.boxOpacity)}`, `boxborderw=${Math.max(2, Math.round(size * 0.25))}`] : []),
      ...(burnins.shadow ? ['shadowcolor=black@0.8', `shadowx=${Math.max(1, Math.round(size / 16))}`, `shadowy=${Math.max(1, Math.round(size / 16))}`] : []),
    ];
    return `drawtext=${options.join(':')}`;
  });
}
