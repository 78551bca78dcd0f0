export * from './wasm-browser-encoder.js';
export { VP9_UNSUPPORTED_REASON } from '../shared/wasm-capabilities.js';
