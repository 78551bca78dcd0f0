import { fileURLToPath } from 'node:url';
import { projectConfig } from '../../vitest.shared.js';

export default projectConfig(fileURLToPath(new URL('.', import.meta.url)));
