export * from './shared/wasm-capabilities.js';
export * from './node/wasm-core.js';
export * from './node/wasm-node-encoder.js';
export * from './register-wasm-encoder.js';
export * from './node/wasm-media-probe.js';
export * from './descriptor.js';
export * from './node/wasm-quality-meter.js';
