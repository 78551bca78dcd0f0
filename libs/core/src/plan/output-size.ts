import type { MediaInfo } from '../domain/media-info.js';
import type { OutputSpec } from '../domain/encode-profile.js';

export interface Dimensions {
  width: number;
  height: number;
}

/** Nearest even number ≥ 2: H.264/yuv420p needs even dimensions. */
export function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/** Width×height as displayed: anamorphic sources are stretched to square pixels, rotated ones turned. */
export function displaySize(info: Pick<MediaInfo, 'width' | 'height' | 'pixelAspect' | 'rotation'>): Dimensions {
  const sar = info.pixelAspect.num / info.pixelAspect.den || 1;
  const size = sar >= 1 ? { width: info.width * sar, height: info.height } : { width: info.width, height: info.height / sar };
  return info.rotation === 90 || info.rotation === 270 ? { width: size.height, height: size.width } : size;
}

/** Output size for a spec: square pixels, even, never upscaled by `within`. */
export function outputSize(info: Pick<MediaInfo, 'width' | 'height' | 'pixelAspect' | 'rotation'>, spec: OutputSpec): Dimensions {
  const display = displaySize(info);
  const size = spec.size;
  if (size.fit === 'scale') {
    const scale = size.scale ?? 1;
    return { width: even(display.width * scale), height: even(display.height * scale) };
  }
  if (size.fit === 'exact' && size.maxWidth && size.maxHeight) {
    return { width: even(size.maxWidth), height: even(size.maxHeight) };
  }
  const maxW = size.maxWidth ?? Number.POSITIVE_INFINITY;
  const maxH = size.maxHeight ?? Number.POSITIVE_INFINITY;
  const factor = Math.min(1, maxW / display.width, maxH / display.height);
  return { width: even(display.width * factor), height: even(display.height * factor) };
}
