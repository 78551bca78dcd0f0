// Background encode_media jobs (protocol §3.9): the Job goes queued -> running
// -> done/failed; outputs become FileComponents in ftrack.server linked by
// JobComponent, attached to the version with ftr_meta; the image becomes the
// version's thumbnail. The encoder itself is injected (options.encodeMedia).
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { nowDatetime } from '../store/datetime.js';
import type { EntityChange, EntityRepo } from '../store/entity-repo.js';
import { EntityWriter } from '../store/entity-writer.js';
import { LOCATION_IDS } from '../store/reference-data.js';
import type { SchemaView } from '../store/schema-view.js';
import type { FileStore } from '../storage/file-store.js';
import { contentTypeFor, isImageFile } from '../storage/content-type.js';

export interface EncodedFile {
  name: string;
  path: string;
  fileType: string;
  meta?: Record<string, unknown>;
}

export type EncodeMediaFn = (input: { sourcePath: string; outputDir: string; signal: AbortSignal }) => Promise<{ files: EncodedFile[] }>;

export interface EncodeJobRequest {
  jobId: string;
  sourceComponentId: string;
  versionId: string | null;
  keepOriginal: boolean;
  userId: string;
}

export interface EncodeJobDeps {
  repo: EntityRepo;
  view: SchemaView;
  files: FileStore;
  dataDir: string;
  encodeMedia?: EncodeMediaFn;
  log: (line: string) => void;
  onCommitted: (changes: EntityChange[], userId: string) => void;
}

export const NO_ENCODER_MESSAGE = 'encode_media is not available: this ftrack-local server was started without an encoder (options.encodeMedia).';

export class EncodeJobRunner {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(private readonly deps: EncodeJobDeps) {}

  start(request: EncodeJobRequest): void {
    const controller = new AbortController();
    const done = this.run(request, controller.signal)
      .catch((error: unknown) => this.deps.log(`encode job ${request.jobId} crashed: ${(error as Error).message}`))
      .finally(() => this.running.delete(request.jobId));
    this.running.set(request.jobId, { controller, done });
  }

  async close(): Promise<void> {
    for (const job of this.running.values()) job.controller.abort();
    await Promise.all([...this.running.values()].map((job) => job.done));
  }

  private async run(request: EncodeJobRequest, signal: AbortSignal): Promise<void> {
    // Let the API response go out before the job changes state.
    await new Promise((resolve) => setImmediate(resolve));
    const base = { source_component_id: request.sourceComponentId, keep_original: request.keepOriginal };
    this.updateJob(request, { status: 'running' });
    const outputDir = join(this.deps.dataDir, 'jobs', request.jobId);
    try {
      const encode = this.deps.encodeMedia;
      if (!encode) throw new Error(NO_ENCODER_MESSAGE);
      const sourcePath = await this.sourcePath(request.sourceComponentId);
      await mkdir(outputDir, { recursive: true });
      const { files } = await encode({ sourcePath, outputDir, signal });
      if (signal.aborted) throw new Error('encode job aborted: the server is shutting down');
      const stored = [];
      for (const file of files) {
        const componentId = randomUUID();
        const { size } = await this.deps.files.adopt(componentId, file.path);
        stored.push({ file, componentId, size });
      }
      const output = this.register(request, stored);
      this.updateJob(request, { status: 'done', finished_at: nowDatetime(), data: JSON.stringify({ ...base, output }) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.log(`encode job ${request.jobId} failed: ${message}`);
      this.updateJob(request, {
        status: 'failed',
        finished_at: nowDatetime(),
        data: JSON.stringify({ ...base, output: [], error: message }),
      });
    } finally {
      await rm(outputDir, { recursive: true, force: true });
    }
  }

  private async sourcePath(componentId: string): Promise<string> {
    const location = this.deps.repo
      .findBy(['ComponentLocation'], 'component_id', componentId)
      .map((found) => found.row)
      .find((r) => r['location_id'] === LOCATION_IDS.server);
    const resource = location?.['resource_identifier'];
    if (typeof resource !== 'string' || (await this.deps.files.sizeOf(resource)) === undefined) {
      throw new Error(`Component ${componentId} has no file in the ftrack.server location.`);
    }
    return this.deps.files.pathOf(resource);
  }

  private register(request: EncodeJobRequest, stored: { file: EncodedFile; componentId: string; size: number }[]): { format: string; component_id: string }[] {
    const writer = new EntityWriter(this.deps.view, this.deps.repo);
    const { result, changes } = this.deps.repo.transaction(() => {
      const output: { format: string; component_id: string }[] = [];
      let thumbnailId: string | undefined;
      for (const { file, componentId, size } of stored) {
        const fileType = file.fileType.startsWith('.') ? file.fileType : `.${file.fileType}`;
        writer.create('FileComponent', { id: componentId, name: file.name, file_type: fileType, size, version_id: request.versionId }, request.userId);
        writer.create('ComponentLocation', { component_id: componentId, location_id: LOCATION_IDS.server, resource_identifier: componentId }, request.userId);
        writer.create('JobComponent', { component_id: componentId, job_id: request.jobId }, request.userId);
        if (file.meta) {
          writer.create(
            'Metadata',
            { parent_id: componentId, parent_type: 'FileComponent', key: 'ftr_meta', value: JSON.stringify(file.meta) },
            request.userId,
          );
        }
        const format = contentTypeFor(`x${fileType}`);
        if (!thumbnailId && (isImageFile(`x${fileType}`) || file.name.startsWith('ftrackreview-image'))) thumbnailId = componentId;
        output.push({ format, component_id: componentId });
      }
      if (request.versionId && thumbnailId) writer.update('AssetVersion', request.versionId, { thumbnail_id: thumbnailId });
      if (!request.keepOriginal) writer.delete('Component', request.sourceComponentId);
      return output;
    });
    for (const id of writer.removedFiles) void this.deps.files.remove(id).catch(() => undefined);
    this.deps.onCommitted(changes, request.userId);
    return result;
  }

  private updateJob(request: EncodeJobRequest, data: Record<string, unknown>): void {
    const writer = new EntityWriter(this.deps.view, this.deps.repo);
    const { changes } = this.deps.repo.transaction(() => writer.update('Job', request.jobId, data));
    this.deps.onCommitted(changes, request.userId);
  }
}
