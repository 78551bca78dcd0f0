// Every area of the corpus, in the order the table prints them.
import type { ReliabilityCase } from '../table.js';
import { badInputCases } from './bad-input.js';
import { ftrackInputCases } from './ftrack-input.js';
import { registrationCases } from './registration.js';
import { signalCases } from './signals.js';
import { storageCases } from './storage.js';
import { uploadCases } from './upload.js';
import { usageCases } from './usage.js';

export const AREAS: Record<string, readonly ReliabilityCase[]> = {
  'bad input': badInputCases,
  usage: usageCases,
  ftrack: ftrackInputCases,
  upload: uploadCases,
  registration: registrationCases,
  signals: signalCases,
  storage: storageCases,
};
