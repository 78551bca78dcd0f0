export * from './ftrack-server-storage.js';
export * from './register-ftrack-server-storage.js';
export * from './part-size.js';
export type { UploadJob, HashedUpload } from './upload-job.js';
export * from './descriptor.js';
