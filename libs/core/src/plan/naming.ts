import type { MediaSource } from '../domain/media-source.js';

/** Source name without directory, frame token or extension: /a/sh010_comp_v003.%04d.exr -> sh010_comp_v003. */
export function sourceBaseName(source: MediaSource): string {
  const path = source.kind === 'file' ? source.path : source.pattern;
  const file = path.split(/[\\/]/).pop() ?? 'output';
  const withoutFrame = source.kind === 'sequence' ? file.replace(/[._-]?%0?\d*d/, '') : file;
  const dot = withoutFrame.lastIndexOf('.');
  const base = dot > 0 ? withoutFrame.slice(0, dot) : withoutFrame;
  return base.length > 0 ? base : 'output';
}

export function versionToken(name: string): string {
  return /(?:^|[._-])(v\d{2,})(?:$|[._-])/i.exec(name)?.[1] ?? 'v000';
}

/** Make a name safe as one path segment on every OS (no separators, no control chars). */
export function safeSegment(text: string): string {
  const cleaned = text
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_')
    .replace(/^\.+/, '_')
    .trim();
  return cleaned.length > 0 ? cleaned : '_';
}

export function renderName(template: string, vars: { source: string; version: string; profile: string; output: string; ext: string }): string {
  const rendered = template.replace(/\{(source|version|profile|output|ext)\}/g, (_m, key: keyof typeof vars) => vars[key]);
  return safeSegment(rendered);
}
