export * from './media-fixtures.js';
export * from './contract-profile.js';
export * from './encoder-contract.js';
export * from './storage-contract.js';
export * from './media-measure.js';
export * from './correctness-sources.js';
export * from './media-correctness.js';
export { sampleMediaInfo } from '@ftrack-encode/core/testing';
export * from './node-file-system.js';
