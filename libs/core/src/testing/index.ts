// `@ftrack-encode/core/testing`: sample data for tests that run no ffmpeg (never production code).
// Here rather than in libs/testing so core's own tests can use it (libs/testing depends on core).
export { sampleMediaInfo } from './sample-media-info.js';
