export * from './locate-source.js';
export * from './sequence-pattern.js';
export * from './mp4-atom-order.js';
export * from './read-image-header.js';
export * from './read-container-file.js';
