export * from './adapters.js';
export * from './adapter-config.js';
export * from './choose-backend.js';
export * from './register-location.js';
export * from './create-scope.js';
export * from './compose-job-deps.js';
export * from './profile-catalog.js';
export * from './diagnose.js';
