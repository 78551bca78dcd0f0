import type { EncodedOutput, HashAlgorithm, PlannedOutput, ProducedFile } from '../domain/encode-plan.js';
import type { FileSystem } from '../ports/file-system.js';
import type { Hasher } from '../ports/hasher.js';
import type { MediaProbe } from '../ports/media-probe.js';
import type { ProgressListener } from '../ports/progress.js';
import { EncodeError, throwIfCancelled, toEncodeError } from '../errors.js';
import { checkOutput } from '../plan/validate-output.js';

export interface OutputValidationDeps {
  probe: MediaProbe;
  hasher: Hasher;
  fs: FileSystem;
}

export interface OutputValidationOptions {
  hashAlgorithm?: HashAlgorithm;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/**
 * Every output probed, checked against its plan (decodes, frame count, size, codec, faststart)
 * and checksummed. A video frame count the encoder took while writing (ProducedFile.videoPackets)
 * is used as is, so the probe reads headers, not every packet. The one validation of the project: EncodeMedia and the farm's encode jobs
 * both call it. Outputs are independent, so all at once.
 */
export async function validateOutputs(
  deps: OutputValidationDeps,
  planned: readonly PlannedOutput[],
  produced: readonly ProducedFile[],
  options: OutputValidationOptions = {},
): Promise<EncodedOutput[]> {
  let checked = 0;
  options.onProgress?.({ stage: 'validate', percent: 0 });
  return Promise.all(
    planned.map(async (output) => {
      const validated = await validateOne(deps, output, produced, options);
      options.onProgress?.({ stage: 'validate', item: output.name, percent: (++checked / planned.length) * 100 });
      return validated;
    }),
  );
}

async function validateOne(
  deps: OutputValidationDeps,
  planned: PlannedOutput,
  produced: readonly ProducedFile[],
  options: OutputValidationOptions,
): Promise<EncodedOutput> {
  throwIfCancelled(options.signal);
  const file = produced.find((p) => p.name === planned.name);
  if (!file)
    throw new EncodeError('E_OUTPUT_INVALID', `The encoder produced no "${planned.name}" output.`, { details: { output: planned.name, check: 'exists' } });
  // A count the encoder took while writing is exact: the probe then reads the headers only.
  const counted = planned.spec.kind === 'video' && file.videoPackets !== undefined;
  const [probed, checksum, size] = await Promise.all([
    deps.probe.probe({ kind: 'file', path: file.path }, { encodedOutput: true, ...(counted ? { countFrames: false } : {}) }).catch((error: unknown) => {
      throw new EncodeError('E_OUTPUT_INVALID', `Output "${planned.name}" does not decode: ${toEncodeError(error).message}`, {
        details: { output: planned.name, check: 'decodes' },
        cause: error,
      });
    }),
    deps.hasher.hashFile(file.path, options.hashAlgorithm ?? 'sha256'),
    deps.fs.size(file.path),
  ]);
  const info = counted ? { ...probed, frameCount: file.videoPackets! } : probed;
  const failed = checkOutput(planned, info);
  if (failed.length > 0) {
    throw new EncodeError('E_OUTPUT_INVALID', `Output "${planned.name}" failed ${failed.map((f) => `${f.check} (${f.message})`).join(', ')}.`, {
      details: { output: planned.name, checks: failed },
    });
  }
  return { name: planned.name, path: file.path, spec: planned.spec, info, checksum, size, ...(planned.slate ? { slateFrames: planned.slate.frames } : {}) };
}
