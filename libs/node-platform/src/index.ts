export * from './node-hasher.js';
export * from './checksum-cache.js';
export * from './node-file-system.js';
export * from './stream-logger.js';
export * from './register-node-platform.js';
export * from './load-config.js';
export * from './file-publish-lock.js';
export * from './ocio-baker.js';
