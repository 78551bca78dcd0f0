import { fileURLToPath } from 'node:url';
import { projectConfig } from '../vitest.shared.js';

// End-to-end tests: built CLI and daemon processes against ftrack-local, Redis, Chromium.
export default projectConfig(fileURLToPath(new URL('.', import.meta.url)), {
  include: ['**/*.e2e.test.ts'],
  fileParallelism: false,
});
