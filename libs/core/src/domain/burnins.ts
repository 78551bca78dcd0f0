import { z } from 'zod';

/** Where a burn-in field sits; or give x/y as fractions of the picture. */
export const BurninPosition = z.enum(['top-left', 'top', 'top-right', 'left', 'center', 'right', 'bottom-left', 'bottom', 'bottom-right']);
export type BurninPosition = z.infer<typeof BurninPosition>;

export const BurninField = z
  .object({
    position: BurninPosition.optional(),
    /** Left edge as a fraction of the width (instead of position). */
    x: z.number().min(0).max(1).optional(),
    /** Top edge as a fraction of the height (instead of position). */
    y: z.number().min(0).max(1).optional(),
    /** Text with tokens: {project} {sequence} {shot} {task} {asset} {version:03} {user} {date} {frame} {timecode} {fps} {resolution} {colour} {shot.custom.NAME}. */
    text: z.string().min(1),
  })
  .refine((f) => f.position !== undefined || (f.x !== undefined && f.y !== undefined), { message: 'give a position or both x and y' });
export type BurninField = z.infer<typeof BurninField>;

/** A profile's burn-ins: fields drawn on the outputs named (default: every video output), in the same filter graph. */
export const Burnins = z.object({
  fields: z.array(BurninField).min(1),
  /** Outputs that carry them; default every video output (a thumbnail stays clean). */
  outputs: z.array(z.string()).optional(),
  /** Text height as a fraction of the output's height. */
  fontSize: z.number().positive().max(0.25).default(0.035),
  /** TrueType font; default DejaVu Sans (Debian fonts-dejavu-core). */
  fontFile: z.string().min(1).optional(),
  color: z
    .string()
    .regex(/^([a-zA-Z]+|#[0-9a-fA-F]{6})$/, 'a colour name or #rrggbb')
    .default('white'),
  /** Text opacity. */
  opacity: z.number().min(0).max(1).default(1),
  /** A dark box behind each field, for legibility on any picture. */
  box: z.boolean().default(true),
  boxOpacity: z.number().min(0).max(1).default(0.5),
  shadow: z.boolean().default(false),
});
export type Burnins = z.infer<typeof Burnins>;

/** A field's text after tokens: literal text, or a per-frame value ffmpeg draws itself. */
export type BurninSegment = { kind: 'text'; text: string } | { kind: 'frame'; start: number; pad: number } | { kind: 'timecode'; start: string; rate: number };

export interface ResolvedBurninField {
  position?: BurninPosition;
  x?: number;
  y?: number;
  segments: BurninSegment[];
}

export type ResolvedBurnins = Omit<Burnins, 'fields' | 'outputs'> & { fields: ResolvedBurninField[] };

/** Values for the static tokens; per-frame ones ({frame}, {timecode}) come from `perFrame`. */
export interface BurninValues {
  values: Record<string, string | number | undefined>;
  perFrame: { firstFrame: number; timecode?: string; rate: number };
}

const TOKEN = /\{([A-Za-z][\w.-]*)(?::(\d+))?\}/g;

/**
 * Fill a field's tokens. `{version:03}` pads numbers; `{frame}` and `{timecode}` stay per-frame;
 * a token with no value is left empty and reported, so the caller can warn.
 */
export function resolveBurninText(text: string, input: BurninValues): { segments: BurninSegment[]; missing: string[] } {
  const segments: BurninSegment[] = [];
  const missing: string[] = [];
  const pushText = (t: string) => {
    if (!t) return;
    const last = segments.at(-1);
    if (last?.kind === 'text') last.text += t;
    else segments.push({ kind: 'text', text: t });
  };
  let at = 0;
  for (const match of text.matchAll(TOKEN)) {
    pushText(text.slice(at, match.index));
    at = (match.index ?? 0) + match[0].length;
    const [, name = '', pad] = match;
    if (name === 'frame') segments.push({ kind: 'frame', start: input.perFrame.firstFrame, pad: Number(pad ?? 0) });
    else if (name === 'timecode')
      segments.push({ kind: 'timecode', start: input.perFrame.timecode ?? '00:00:00:00', rate: Math.max(1, Math.round(input.perFrame.rate)) });
    else {
      const value = input.values[name];
      if (value === undefined || value === '') missing.push(name);
      else pushText(typeof value === 'number' && pad ? String(value).padStart(Number(pad), '0') : String(value));
    }
  }
  pushText(text.slice(at));
  return { segments, missing };
}

/** A slate: frames prepended to the outputs named (default: every video output) with the shot's details. */
export const Slate = z.object({
  /** Slate frames before the first picture frame. */
  frames: z.number().int().min(1).max(240).default(1),
  outputs: z.array(z.string()).optional(),
  /** The table, one line each; tokens as for burn-ins, plus {first_frame} {last_frame} {frames}. */
  lines: z
    .array(z.string().min(1))
    .min(1)
    .default([
      'Project   {project}',
      'Shot      {sequence} / {shot}',
      'Task      {task}',
      'Version   {asset} v{version:03}',
      'Frames    {first_frame}-{last_frame}  ({frames} @ {fps} fps)',
      'Colour    {colour}',
      'Artist    {user}',
      'Date      {date}',
    ]),
  /** A thumbnail of the middle frame, top right. */
  thumbnail: z.boolean().default(true),
  /** Studio logo (PNG/JPEG), bottom right. */
  logo: z.string().min(1).optional(),
  fontFile: z.string().min(1).optional(),
});
export type Slate = z.infer<typeof Slate>;

/** A slate with its lines filled (static text only: a slate is a still). */
export interface ResolvedSlate {
  frames: number;
  lines: string[];
  thumbnail: boolean;
  /** 0-based source frame shown as the thumbnail. */
  thumbnailFrame: number;
  logo?: string;
  fontFile?: string;
}
