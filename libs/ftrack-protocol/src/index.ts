// ftrack protocol knowledge with no I/O: location ids, the registration batch of a publish,
// ftr_meta, provenance metadata, and the queries this project sends. Browser-safe.
export * from './locations.js';
export * from './registration.js';
export * from './query.js';
