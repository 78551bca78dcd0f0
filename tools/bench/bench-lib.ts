// What the benchmarks need from the libraries, bundled by esbuild at bench time
// (tools/bench/build-bench-lib.mjs) so the .mjs scripts run on plain node.
import 'reflect-metadata';

export { container } from 'tsyringe';
export { EncodeMedia, ProfileCatalog, planEncode, silentLogger } from '@ftrack-encode/core';
export { buildEncodeInvocation, buildNaiveInvocations, parseProbe, probeArgs } from '@ftrack-encode/ffmpeg';
export { registerNativeEncoder, findFfmpeg } from '@ftrack-encode/encoder-native';
export { registerNodePlatform } from '@ftrack-encode/node-platform';
// The fixture generator only (the package index also exports the vitest contract suites).
export { mediaFixtures } from '../../libs/testing/src/media-fixtures.js';
export { writeOcioConfig } from '../../libs/testing/src/correctness-sources.js';
// ftrack-local and publish benchmarks (their child processes bundle their own small entries).
export { EncodeProfile, rational, ImageOutputSpec, VideoOutputSpec } from '@ftrack-encode/core';
export { startFtrackLocal, SERVER_LOCATION_ID } from '@ftrack-encode/ftrack-local';
export { partSizeFor } from '@ftrack-encode/storage-ftrack-server';
export { FtrackConnection, FtrackReviewRegistry } from '@ftrack-encode/ftrack';
