// `@ftrack-encode/ftrack/registration`: the browser-safe part of the ftrack adapter.
export * from './registration-operations.js';
