// One encode in the page: probe the picked file (or the frames of one image sequence), encode it with ffmpeg.wasm, then check
// every output like the CLI does (probe it again, checkOutput against the plan) and
// checksum it, so what gets published is exactly what was validated.
import {
  EncodeError,
  checkOutput,
  profileHash,
  throwIfCancelled,
  toEncodeError,
  type Checksum,
  type EncodeProfile,
  type EncodedOutput,
  type MediaInfo,
  type MediaSource,
  type PlannedOutput,
  type Progress,
  type SegmentsSetting,
} from '@ftrack-encode/core';
import { mp4MoovBeforeMdat } from '@ftrack-encode/ffmpeg';
import type { EncodedBlob, WasmBrowserEncoder } from '@ftrack-encode/encoder-wasm/browser';
import { sha256 } from './sha256.js';

/** A validated output and its bytes, ready to upload. */
export interface PageOutput {
  output: EncodedOutput;
  blob: Blob;
}

export interface PageEncodeResult {
  outputs: PageOutput[];
  source: { name: string; size: number; checksum: Checksum; info: MediaInfo };
  profile: EncodeProfile;
  profileHash: string;
  encoderId: string;
  encoderVersion: string;
}

export interface PageEncodeOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Segment-parallel encode on web workers (docs/segments.md); default one pass. */
  segments?: SegmentsSetting;
}

/** Enough of an MP4 to find moov before mdat after +faststart (moov of a long clip is a few MB at most). */
const MP4_HEAD_BYTES = 8 * 1024 * 1024;

export class PageEncoder {
  constructor(
    private readonly encoder: WasmBrowserEncoder,
    private readonly profile: EncodeProfile,
  ) {}

  get multiThread(): boolean {
    return this.encoder.multiThread;
  }

  /** Web workers a segmented encode runs on at once (what `auto` splits into at most). */
  get segmentWorkers(): number {
    return this.encoder.segmentWorkers;
  }

  /** One movie or image, or several image files as the frames of one sequence. */
  async encode(files: readonly File[], options: PageEncodeOptions = {}): Promise<PageEncodeResult> {
    const { signal, onProgress, segments } = options;
    // The wasm workers do not watch the signal outside exec(): terminating them is the real cancel.
    const stop = (): void => this.encoder.terminate();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      throwIfCancelled(signal);
      onProgress?.({ stage: 'probe', message: 'Loading ffmpeg.wasm and reading the file' });
      const source = this.encoder.sourceForFiles(files);
      const info = await this.encoder.probeFiles(files);
      throwIfCancelled(signal);
      const capabilities = await this.encoder.capabilities();
      onProgress?.({ stage: 'encode', percent: 0 });
      const encoded = await this.encoder.encodeFiles(files, this.profile, {
        info,
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress } : {}),
        ...(segments ? { segments } : {}),
      });
      throwIfCancelled(signal);
      onProgress?.({ stage: 'validate', message: 'Checking the encoded files' });
      const outputs: PageOutput[] = [];
      for (const item of encoded) {
        outputs.push(await this.validated(item));
        throwIfCancelled(signal);
      }
      // A sequence's checksum covers its frames in order (the dedup key of what was encoded).
      const ordered = files.length === 1 ? [...files] : [...files].sort((a, b) => a.name.localeCompare(b.name));
      const checksum = await sha256(new Blob(ordered));
      throwIfCancelled(signal);
      return {
        outputs,
        source: { name: sourceName(source, files), size: files.reduce((sum, f) => sum + f.size, 0), checksum, info },
        profile: this.profile,
        profileHash: profileHash(this.profile),
        encoderId: capabilities.id,
        encoderVersion: capabilities.version,
      };
    } catch (error) {
      if (signal?.aborted) throw new EncodeError('E_CANCELLED', 'Cancelled.', { cause: error });
      throw toEncodeError(error, 'E_ENCODER_FAILED');
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }

  private async validated({ name, blob, planned }: EncodedBlob): Promise<PageOutput> {
    const info = await this.probeOutput(planned, blob);
    const failed = checkOutput(planned, info);
    if (failed.length > 0) {
      throw new EncodeError('E_OUTPUT_INVALID', `The encoded ${name} is not what was planned: ${failed.map((f) => f.message).join('; ')}.`, {
        details: { output: name, failed },
      });
    }
    const checksum = await sha256(blob);
    return { output: { name, path: planned.path, spec: planned.spec, info, checksum, size: blob.size }, blob };
  }

  private async probeOutput(planned: PlannedOutput, blob: Blob): Promise<MediaInfo> {
    const fileName = planned.path.slice(planned.path.lastIndexOf('/') + 1);
    const info = await this.encoder.probeFile(new File([blob], fileName, { type: blob.type }));
    if (planned.spec.kind !== 'video' || (planned.spec.container !== 'mp4' && planned.spec.container !== 'mov')) return info;
    const head = new Uint8Array(await blob.slice(0, MP4_HEAD_BYTES).arrayBuffer());
    const moovBeforeMdat = mp4MoovBeforeMdat(head);
    return moovBeforeMdat === undefined ? info : { ...info, moovBeforeMdat };
  }
}

/** What the page calls the source: the file's name, or the sequence as shot.####.png. */
function sourceName(source: MediaSource, files: readonly File[]): string {
  return source.kind === 'sequence' ? source.originalPattern : files[0]!.name;
}
