// ftrack-local: an ftrack-compatible local server for the unmodified @ftrack/api client.
export { startFtrackLocal, SERVER_LOCATION_ID } from './server.js';
export type { FtrackLocalOptions, FtrackLocalServer } from './server.js';
export type { FaultConfig, FaultController, ApiFailureRule, ApiLatencyRule, ApiResponseDropRule, BatchMatcher, UploadResponseDropRule } from './faults.js';
export type { DemoSeed } from './seed.js';
export { DataDirInUseError } from './store/data-dir.js';
export type { EncodeMediaFn, EncodedFile } from './api/encode-jobs.js';
export { runServerCommand } from './cli-server.js';
export type { ServerCommandOptions } from './cli-server.js';
