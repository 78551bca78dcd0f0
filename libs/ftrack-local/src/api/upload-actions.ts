// get_upload_metadata, complete_multipart_upload (protocol §3.7, §3.8) and generate_signed_url.
import { randomUUID } from 'node:crypto';
import { validationError } from '../http/errors.js';
import { contentTypeFor } from '../storage/content-type.js';
import { LOCATION_IDS } from '../store/reference-data.js';
import { isSafeIdentifier } from '../storage/safe-path.js';
import type { ActionHandler } from './action.js';
import { stringField } from './action.js';
import type { CallContext, Operation } from './context.js';

const MAX_PARTS = 10_000;

function componentId(op: Operation): string {
  const id = stringField(op, 'component_id');
  if (!id || !isSafeIdentifier(id)) throw validationError('component_id is missing or not a valid identifier.');
  return id;
}

export function putUrl(ctx: CallContext, query: Record<string, string>): string {
  const params = new URLSearchParams(query);
  return `${ctx.baseUrl()}/component/put?${params.toString()}`;
}

export const getUploadMetadata: ActionHandler = {
  run(op, ctx) {
    const id = componentId(op);
    const fileName = stringField(op, 'file_name') ?? id;
    const checksum = stringField(op, 'checksum');
    const parts = op['parts'];
    if (parts === null || parts === undefined) {
      const token = ctx.tokens.sign({ op: 'put', componentId: id, ...(checksum ? { md5: checksum } : {}) });
      const headers: Record<string, string> = {
        'Content-Type': contentTypeFor(fileName),
        'Content-Disposition': `attachment; filename="${fileName.replace(/["\\\r\n]/g, '_')}"`,
      };
      if (checksum) headers['Content-MD5'] = checksum;
      // Single part: no `urls` key at all (the JS client picks the mode by its presence).
      return { component_id: id, url: putUrl(ctx, { id, token }), headers };
    }
    if (typeof parts !== 'number' || !Number.isInteger(parts) || parts < 1 || parts > MAX_PARTS) {
      throw validationError(`parts must be an integer between 1 and ${MAX_PARTS}.`);
    }
    // Parts are written at their offsets in one file, placed by the file's size.
    const fileSize = op['file_size'];
    if (typeof fileSize !== 'number' || !Number.isSafeInteger(fileSize) || fileSize < 0) {
      throw validationError('file_size must be the size of the file in bytes for a multi-part upload.');
    }
    const uploadId = randomUUID();
    ctx.db
      .prepare('INSERT INTO upload_session(upload_id, component_id, parts, size, created_at) VALUES(?, ?, ?, ?, ?)')
      .run(uploadId, id, parts, fileSize, new Date().toISOString());
    const urls = Array.from({ length: parts }, (_, i) => {
      const part = i + 1;
      const token = ctx.tokens.sign({ op: 'put', componentId: id, uploadId, part });
      return { part_number: part, signed_url: putUrl(ctx, { id, upload: uploadId, part: String(part), token }) };
    });
    return { component_id: id, upload_id: uploadId, urls };
  },
};

interface PartRef {
  part_number: number;
  e_tag: string;
}

function partList(op: Operation): PartRef[] {
  const parts = op['parts'];
  if (!Array.isArray(parts) || parts.length === 0) throw validationError('parts must list the uploaded parts.');
  return parts.map((p: unknown) => {
    const part = p as { part_number?: unknown; e_tag?: unknown };
    if (typeof part.part_number !== 'number' || typeof part.e_tag !== 'string') {
      throw validationError('Each part needs part_number and e_tag.');
    }
    return { part_number: part.part_number, e_tag: part.e_tag.replace(/"/g, '') };
  });
}

export const completeMultipartUpload: ActionHandler = {
  async prepare(op, ctx, index) {
    const id = componentId(op);
    const uploadId = stringField(op, 'upload_id');
    const session = ctx.db.prepare('SELECT component_id, parts, size FROM upload_session WHERE upload_id = ?').get(uploadId ?? '') as
      { component_id: string; parts: number; size: number | null } | undefined;
    if (!uploadId || !session || session.component_id !== id || session.size === null) {
      throw validationError(`Unknown upload ${String(uploadId)} for component ${id}.`);
    }
    const parts = partList(op).sort((a, b) => a.part_number - b.part_number);
    if (parts.length !== session.parts || parts.some((p, i) => p.part_number !== i + 1)) {
      throw validationError(`Expected parts 1..${session.parts} for upload ${uploadId}.`);
    }
    const stored = ctx.db.prepare('SELECT part_number, md5, size, offset FROM upload_part WHERE upload_id = ?').all(uploadId) as {
      part_number: number;
      md5: string;
      size: number;
      offset: number;
    }[];
    const byPart = new Map(stored.map((row) => [row.part_number, row]));
    // The parts were written in place and MD5-hashed as they arrived: completion checks the
    // record (ETags, and that the parts tile the file) and never reads the bytes again.
    let end = 0;
    for (const part of parts) {
      const row = byPart.get(part.part_number);
      if (!row) throw validationError(`Part ${part.part_number} of upload ${uploadId} was not uploaded (or is still being written).`);
      if (row.md5 !== part.e_tag.toLowerCase()) throw validationError(`ETag of part ${part.part_number} does not match the uploaded data.`);
      if (row.offset !== end) {
        throw validationError(
          `Part ${part.part_number} starts at byte ${row.offset}, not ${end}: parts 1..${session.parts - 1} must all have the size of part 1.`,
        );
      }
      end += row.size;
    }
    const onDisk = await ctx.files.uploadedSize(uploadId);
    if (end !== session.size || onDisk !== session.size) {
      throw validationError(`Upload ${uploadId} holds ${end} bytes in its parts (${onDisk} on disk), not the ${session.size} it was started with.`);
    }
    ctx.prepared.set(index, { id, uploadId });
  },
  run(op, ctx, _writer, index) {
    const { id, uploadId } = ctx.prepared.get(index) as { id: string; uploadId: string };
    ctx.db.prepare('DELETE FROM upload_part WHERE upload_id = ?').run(uploadId);
    ctx.db.prepare('DELETE FROM upload_session WHERE upload_id = ?').run(uploadId);
    // The upload's file becomes the component's only once the whole batch has committed; if the
    // batch fails, the upload stays as it was and can be completed again.
    ctx.afterCommit.push(() => ctx.files.commitUpload(uploadId, id));
    const token = ctx.tokens.sign({ op: 'get', componentId: id });
    return {
      action: 'complete_multipart_upload',
      component_id: id,
      url: `${ctx.baseUrl()}/component/get?${new URLSearchParams({ id, token }).toString()}`,
    };
  },
};

/** A credential-free download URL of a component's file in ftrack.server (JS GenerateSignedUrlResponse). */
export const generateSignedUrl: ActionHandler = {
  run(op, ctx, writer) {
    const id = componentId(op);
    writer.locate('Component', id);
    const location = ctx.repo
      .findBy(['ComponentLocation'], 'component_id', id)
      .map((found) => found.row)
      .find((row) => row['location_id'] === LOCATION_IDS.server);
    const resource = location?.['resource_identifier'];
    if (typeof resource !== 'string' || !isSafeIdentifier(resource)) {
      throw validationError(`Component ${id} has no file in the ftrack.server location.`);
    }
    const token = ctx.tokens.sign({ op: 'get', componentId: resource });
    return { signed_url: `${ctx.baseUrl()}/component/get?${new URLSearchParams({ id: resource, token }).toString()}` };
  },
};
