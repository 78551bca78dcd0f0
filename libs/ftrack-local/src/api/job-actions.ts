// encode_media and delayed_job (protocol §3.9, §3.10).
import { validationError } from '../http/errors.js';
import type { ActionHandler } from './action.js';
import { stringField } from './action.js';

export const encodeMedia: ActionHandler = {
  run(op, ctx, writer) {
    const componentId = stringField(op, 'component_id');
    if (!componentId) throw validationError('component_id is required.');
    writer.locate('Component', componentId);
    const versionId = stringField(op, 'version_id') ?? null;
    if (versionId) writer.locate('AssetVersion', versionId);
    const keepOriginal = op['keep_original'] !== false;
    const job = writer.create(
      'Job',
      {
        status: 'queued',
        type: 'api_job',
        data: JSON.stringify({ source_component_id: componentId, keep_original: keepOriginal, output: [] }),
      },
      ctx.user.id,
    );
    const jobId = String(job['id']);
    ctx.afterCommit.push(() => ctx.encodeJobs.start({ jobId, sourceComponentId: componentId, versionId, keepOriginal, userId: ctx.user.id }));
    return { job_id: jobId };
  },
};

/** Records the job and marks it done: ftrack-local has no LDAP or other delayed work to run. */
export const delayedJob: ActionHandler = {
  run(op, ctx, writer) {
    const jobType = stringField(op, 'job_type');
    if (!jobType) throw validationError('job_type is required.');
    const job = writer.create('Job', { status: 'done', type: 'api_job', data: JSON.stringify({ job_type: jobType }) }, ctx.user.id);
    return { action: 'delayed_job', data: job };
  },
};
