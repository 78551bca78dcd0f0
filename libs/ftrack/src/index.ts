export * from './ftrack-config.js';
export * from './ftrack-errors.js';
export * from './create-ftrack-session.js';
export * from './ftrack-connection.js';
export * from './ftrack-review-registry.js';
export * from './ftrack-event-publisher.js';
export * from './register-ftrack.js';
