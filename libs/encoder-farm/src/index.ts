export * from './job-spec.js';
export * from './wire-errors.js';
export * from './redis-connection.js';
export * from './queue-options.js';
export * from './run-job.js';
export * from './encode-processor.js';
export * from './farm-worker.js';
export * from './farm-client.js';
export * from './farm-encoder.js';
export * from './register-farm-encoder.js';
export * from './redis-publish-lock.js';
/** Test and benchmark support: a throw-away local redis-server (never used by production code). */
export { startRedis, freePort, type RedisServer } from './testing/redis-server.js';
