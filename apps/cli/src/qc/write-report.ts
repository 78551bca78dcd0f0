import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import { EncodeError, TOKENS, describeColourPipeline, minSsimFor, sourceLabel, type EncodeMediaResult, type RunOptions } from '@ftrack-encode/core';
import { ftrMetaFor, provenanceFor } from '@ftrack-encode/ftrack-protocol';
import { renderQcReport, type QcComponentMetadata } from './report-page.js';

export interface QcReportRequest {
  dir: string;
  /** Contact-sheet frames (default one per second). */
  frames?: number;
  backend: string;
  /** Known at publish; `encode`/`qc` do not read the source's bytes. */
  sourceChecksum?: string;
}

/** What the publish would register per component: ftr_meta and the ftrack_encode.* metadata. */
function componentMetadata(result: EncodeMediaResult, sourceChecksum: string): QcComponentMetadata[] {
  const provenance = {
    sourcePath: sourceLabel(result.plan.source),
    sourceChecksum,
    profileName: result.plan.profileName,
    profileHash: result.plan.profileHash,
    encoderId: result.encoderId,
    encoderVersion: result.encoderVersion,
  };
  return result.outputs.map((output) => {
    const ftrMeta = ftrMetaFor({ output });
    return { component: output.name, ...(ftrMeta ? { ftrMeta } : {}), metadata: provenanceFor({ provenance }, { output, stored: output }) };
  });
}

/** The report's pictures come from the native ffmpeg: without it, say so before any work. */
export function requireQcRenderer(container: DependencyContainer, backend: string): void {
  if (!container.isRegistered(TOKENS.QcRenderer, true)) {
    throw new EncodeError('E_UNSUPPORTED', `The QC report is made with the native ffmpeg, which backend "${backend}" does not provide.`, {
      hint: 'Use --backend native (ffmpeg on PATH or FFMPEG_PATH; see `ftrack-encode doctor`).',
    });
  }
}

/** Render the QC report of a finished encode into `dir` (index.html + PNGs); returns the page's path. */
export async function writeQcReport(
  container: DependencyContainer,
  result: EncodeMediaResult,
  request: QcReportRequest,
  options: RunOptions = {},
): Promise<string> {
  requireQcRenderer(container, request.backend);
  const dir = resolve(request.dir);
  await mkdir(dir, { recursive: true });
  const outputs = result.plan.outputs.flatMap((planned) => {
    const encoded = result.outputs.find((o) => o.name === planned.name);
    return encoded ? [{ planned, path: encoded.path }] : [];
  });
  const findings = await container
    .resolve(TOKENS.QcRenderer)
    .render(result.plan, outputs, { dir, ...(request.frames !== undefined ? { frames: request.frames } : {}) }, options);
  const thresholds = Object.fromEntries(result.plan.outputs.filter((p) => p.spec.kind === 'video').map((p) => [p.name, minSsimFor(p)]));
  const html = renderQcReport({
    source: sourceLabel(result.plan.source),
    profile: result.plan.profileName,
    backend: request.backend,
    generatedAt: new Date().toISOString(),
    ...(result.plan.colour ? { colour: describeColourPipeline(result.plan.colour) } : {}),
    findings,
    thresholds,
    encodeCommands: result.commands,
    components: componentMetadata(result, request.sourceChecksum ?? '(read at publish)'),
    warnings: result.plan.warnings ?? [],
  });
  const page = join(dir, 'index.html');
  await writeFile(page, html, 'utf8');
  return page;
}
