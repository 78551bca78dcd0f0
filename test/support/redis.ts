// The throw-away redis-server the farm tests use lives with the farm lib (its own tests need
// it too); e2e tests take it from here.
export { startRedis, freePort, type RedisServer } from '@ftrack-encode/encoder-farm/testing';
