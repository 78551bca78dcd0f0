// What the benchmarks need from the libraries, bundled by esbuild at bench time
// (tools/bench/build-bench-lib.mjs) so the .mjs scripts run on plain node.
import 'reflect-metadata';

export { container } from 'tsyringe';
export { EncodeMedia, ProfileCatalog, planEncode, silentLogger } from '@ftrack-encode/core';
export { buildEncodeInvocation, buildNaiveInvocations, buildQualityInvocation, parseProbe, probeArgs, qualityTargets } from '@ftrack-encode/ffmpeg';
export { registerNativeEncoder, findFfmpeg, NativeQualityMeter } from '@ftrack-encode/encoder-native';
export { registerNodePlatform } from '@ftrack-encode/node-platform';
// The fixture generator only (the package index also exports the vitest contract suites).
export { mediaFixtures } from '../../libs/testing/src/media-fixtures.js';
export { writeOcioConfig } from '../../libs/testing/src/correctness-sources.js';
// ftrack-local and publish benchmarks (their child processes bundle their own small entries).
export { EncodeProfile, rational, ImageOutputSpec, VideoOutputSpec } from '@ftrack-encode/core';
export { startFtrackLocal, SERVER_LOCATION_ID } from '@ftrack-encode/ftrack-local';
export { partSizeFor } from '@ftrack-encode/storage-ftrack-server';
export { FtrackConnection, FtrackReviewRegistry } from '@ftrack-encode/ftrack';
// ftrack-local scale bench: seeds a large store in-process through the server's own write path.
export { openDatabase } from '../../libs/ftrack-local/src/store/sqlite.js';
export { EntityRepo } from '../../libs/ftrack-local/src/store/entity-repo.js';
export { EntityWriter } from '../../libs/ftrack-local/src/store/entity-writer.js';
export { SchemaView } from '../../libs/ftrack-local/src/store/schema-view.js';
export { ensureReferenceData } from '../../libs/ftrack-local/src/store/reference-data.js';
export { provisionUsers } from '../../libs/ftrack-local/src/store/users.js';
export { prepareDataDir } from '../../libs/ftrack-local/src/store/data-dir.js';
export { defaultSchemaModel } from '../../libs/ftrack-local/src/schema/index.js';
