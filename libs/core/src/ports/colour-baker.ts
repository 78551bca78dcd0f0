import type { ColourLut } from '../domain/colour.js';

/** What an OCIO config offers: names are validated against it before anything is baked. */
export interface OcioConfigInfo {
  path: string;
  /** Content hash of the config file (the LUT cache key includes it). */
  hash: string;
  colourspaces: string[];
  /** Role name -> colourspace. */
  roles: Record<string, string>;
  displays: { name: string; views: string[] }[];
  defaultDisplay?: string;
}

export interface BakeRequest {
  config: OcioConfigInfo;
  inputSpace: string;
  display: string;
  view: string;
  /** A log-like colourspace of the config used as the 1D shaper (scene-linear input needs one). */
  shaperSpace?: string;
  cubeSize: number;
}

/**
 * Turns an OCIO display transform into a LUT file every ffmpeg backend applies the same way
 * (lut3d). Implemented on the host (ociobakelut); results are cached by a hash of the request.
 */
export interface ColourBaker {
  /** E_CONFIG_INVALID when the config cannot be read or does not validate. */
  inspect(configPath: string, options?: { signal?: AbortSignal }): Promise<OcioConfigInfo>;
  bake(request: BakeRequest, options?: { signal?: AbortSignal }): Promise<ColourLut>;
}
