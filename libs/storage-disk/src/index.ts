export * from './disk-storage-accessor.js';
export * from './structure-template.js';
export * from './register-disk-storage.js';
export * from './descriptor.js';
