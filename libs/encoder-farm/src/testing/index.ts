// `@ftrack-encode/encoder-farm/testing`: a real redis-server for tests and benchmarks (never production code).
export { startRedis, freePort, type RedisServer } from './redis-server.js';
