export * from './choose-backend.js';
export * from './ftrack-endpoint.js';
export * from './register-location.js';
export * from './create-scope.js';
export * from './compose-job-deps.js';
export * from './profile-catalog.js';
