import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  EncodeError,
  throwIfCancelled,
  type EncodePlan,
  type Encoder,
  type EncoderCapabilities,
  type FtrackApi,
  type ProducedFile,
  type RunOptions,
  type StorageAccessor,
} from '@ftrack-encode/core';
import { SERVER_LOCATION_ID } from '@ftrack-encode/ftrack-protocol';

interface JobRow {
  status?: string;
  data?: string;
}

interface JobData {
  output?: { format: string; component_id: string }[];
  error?: string;
}

/**
 * ftrack's own server-side `encode_media` as an Encoder: upload the source to ftrack.server,
 * run encode_media (no version: our publish registers the results itself), follow the Job,
 * download its one MP4 and one JPEG to the planned temp paths, then delete the server's
 * temporary components. ftrack-local implements encode_media with the site's encoder.
 */
export class FtrackServerEncoder implements Encoder {
  readonly id = 'ftrack';

  constructor(
    private readonly connection: FtrackApi,
    /** The ftrack.server accessor: uploads the source, downloads the results. */
    private readonly serverStorage: StorageAccessor,
    private readonly options: { pollIntervalMs?: number; timeoutMs?: number } = {},
  ) {}

  async capabilities(): Promise<EncoderCapabilities> {
    const reason = "ftrack's encode_media makes one H.264 MP4 and one JPEG";
    return {
      id: this.id,
      version: 'encode_media',
      codecs: ['h264', 'mjpeg'],
      unsupported: (['hevc', 'vp9', 'vp8', 'av1', 'prores', 'dnxhr', 'png'] as const).map((codec) => ({ codec, reason })),
      encoders: [],
      hardware: [],
      sequences: false,
    };
  }

  async describe(plan: EncodePlan): Promise<string[][]> {
    return [['encode_media', `component_id=<${plan.source.kind === 'file' ? plan.source.path : 'sequence'}>`, 'version_id=null']];
  }

  async encode(plan: EncodePlan, options: RunOptions = {}): Promise<ProducedFile[]> {
    const { signal, onProgress } = options;
    throwIfCancelled(signal);
    if (plan.source.kind !== 'file')
      throw new EncodeError('E_UNSUPPORTED', 'ftrack encode_media takes a single movie file, not an image sequence.', { hint: 'Use --backend native.' });
    const video = plan.outputs.filter((o) => o.spec.kind === 'video');
    const images = plan.outputs.filter((o) => o.spec.kind === 'image');
    if (video.length > 1 || images.length > 1) {
      throw new EncodeError(
        'E_UNSUPPORTED',
        `ftrack encode_media makes one MP4 and one image; the plan has ${video.length} videos and ${images.length} images.`,
        {
          hint: 'Use --profile ftrack-server with --backend ftrack.',
        },
      );
    }
    const sourceId = randomUUID();
    const created: string[] = [];
    try {
      onProgress?.({ stage: 'encode', percent: 0, message: 'uploading source to ftrack' });
      const stored = await this.serverStorage.put(
        plan.source.path,
        { componentId: sourceId, componentName: 'ftrack-encode-source', extension: extname(plan.source.path).slice(1) },
        signal ? { signal } : {},
      );
      await this.connection.call('Registering the encode source', [
        {
          action: 'create',
          entity_type: 'FileComponent',
          entity_data: {
            __entity_type__: 'FileComponent',
            id: sourceId,
            name: 'ftrack-encode-source',
            file_type: extname(plan.source.path),
            size: stored.size,
          },
        },
        {
          action: 'create',
          entity_type: 'ComponentLocation',
          entity_data: {
            __entity_type__: 'ComponentLocation',
            id: randomUUID(),
            component_id: sourceId,
            location_id: SERVER_LOCATION_ID,
            resource_identifier: stored.resourceIdentifier,
          },
        },
      ]);
      created.push(sourceId);
      const [started] = await this.connection.call<{ job_id: string }>('Starting encode_media', [
        { action: 'encode_media', component_id: sourceId, version_id: null, keep_original: true },
      ]);
      if (!started?.job_id) throw new EncodeError('E_ENCODER_FAILED', 'encode_media returned no job id.');
      const data = await this.follow(started.job_id, signal, onProgress);
      const outputs = data.output ?? [];
      created.push(...outputs.map((o) => o.component_id));
      const produced: ProducedFile[] = [];
      for (const [planned, format] of [...video.map((v) => [v, 'video/'] as const), ...images.map((i) => [i, 'image/'] as const)]) {
        const match = outputs.find((o) => o.format.startsWith(format));
        if (!match) throw new EncodeError('E_ENCODER_FAILED', `encode_media produced no ${format}* output for ${planned.name}.`);
        await this.serverStorage.get(match.component_id, planned.tempPath, signal ? { signal } : {});
        produced.push({ name: planned.name, path: planned.tempPath });
      }
      onProgress?.({ stage: 'encode', percent: 100 });
      return produced;
    } catch (error) {
      throw error instanceof EncodeError
        ? error
        : new EncodeError('E_ENCODER_FAILED', `ftrack encode_media failed: ${(error as Error).message}`, { cause: error });
    } finally {
      // The server's copies were only a means to an end: our publish registers its own.
      if (created.length > 0) {
        await this.connection
          .call(
            'Removing encode_media temporaries',
            created.map((id) => ({ action: 'delete', entity_type: 'FileComponent', entity_key: [id] })),
          )
          .catch(() => undefined);
      }
    }
  }

  private async follow(jobId: string, signal: AbortSignal | undefined, onProgress: RunOptions['onProgress']): Promise<JobData> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 60 * 60 * 1000);
    for (;;) {
      throwIfCancelled(signal);
      const [result] = await this.connection.call<{ data: JobRow[] }>('Following the encode job', [
        { action: 'query', expression: `select status, data from Job where id is "${jobId}"` },
      ]);
      const job = result?.data[0];
      const data = job?.data ? (JSON.parse(job.data) as JobData) : {};
      if (job?.status === 'done') return data;
      if (job?.status === 'failed') throw new EncodeError('E_ENCODER_FAILED', `ftrack encode job ${jobId} failed${data.error ? `: ${data.error}` : '.'}`);
      if (Date.now() > deadline) throw new EncodeError('E_ENCODER_FAILED', `ftrack encode job ${jobId} did not finish in time.`);
      onProgress?.({ stage: 'encode', message: `ftrack job ${job?.status ?? 'queued'}` });
      await sleep(this.options.pollIntervalMs ?? 500);
    }
  }
}
