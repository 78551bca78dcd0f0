import 'reflect-metadata';

export * from './find-ffmpeg.js';
export * from './require-ffmpeg.js';
export * from './capabilities.js';
export * from './native-options.js';
export * from './native-encoder.js';
export * from './native-media-probe.js';
export * from './register-native-encoder.js';
export * from './descriptor.js';
export * from './native-quality-meter.js';
export * from './native-qc-renderer.js';
