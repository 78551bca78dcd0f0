export * from './ftrack-server-encoder.js';
export * from './descriptor.js';
