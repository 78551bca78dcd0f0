// Every area of the corpus, in the order the table prints them.
import type { ReliabilityCase } from '../table.js';
import { uploadCases } from './upload.js';

export const AREAS: Record<string, readonly ReliabilityCase[]> = {
  upload: uploadCases,
};
