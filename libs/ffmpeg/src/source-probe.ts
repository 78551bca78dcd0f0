// Entry point `@ftrack-encode/ffmpeg/source-probe`: the argv of a source's probe and level scan
// without the rest of the lib (nothing from core at run time), for a caller that loads it first thing.
export { inputPathArg, probeArgs } from './probe-args.js';
export { audioLevelArgs, LEVEL_WINDOW_SECONDS } from './audio-levels.js';
