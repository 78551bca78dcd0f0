import type { QcFindings, QcStill } from '@ftrack-encode/core';
import { formatCommandLine } from '@ftrack-encode/ffmpeg';
import { escapeHtml, fileUrl, keyValueTable, ssimSvg } from './html.js';

/** Metadata one component would be registered with. */
export interface QcComponentMetadata {
  component: string;
  /** The ftr_meta JSON (video and review-image components). */
  ftrMeta?: string;
  metadata: Record<string, string>;
}

export interface QcReportModel {
  source: string;
  profile: string;
  backend: string;
  generatedAt: string;
  /** describeColourPipeline, when the source gets a display transform. */
  colour?: string;
  findings: QcFindings;
  /** The quality gate's minimum SSIM per output name. */
  thresholds: Record<string, number>;
  /** The encode's exact ffmpeg argvs. */
  encodeCommands: string[][];
  components: QcComponentMetadata[];
  warnings: string[];
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ccc}
img{max-width:100%;background:#000;display:block}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:12px}.pair figure{margin:0}
figcaption{font-size:12px;color:#555}
pre{white-space:pre-wrap;word-break:break-all;background:#eee;padding:8px;font-size:12px}
table.kv{border-collapse:collapse;font-size:12px}table.kv th{text-align:left;padding:2px 12px 2px 0;vertical-align:top}
table.kv td{font-family:monospace;word-break:break-all}
.stats{font-family:monospace}
`;

function figure(file: string, caption: string, className: string): string {
  return `<figure><img class="${className}" src="${fileUrl(file)}" alt="${escapeHtml(caption)}"><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function stillPair(source: QcStill, review: QcStill, key: keyof QcStill, label: string): string {
  return `<div class="pair">${figure(source[key], `source (as it should look): ${label}`, `still ${key}`)}${figure(review[key], `review: ${label}`, `still ${key}`)}</div>`;
}

function stats(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return 'identical';
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  return `mean ${mean.toFixed(4)}, min ${Math.min(...finite).toFixed(4)}`;
}

function outputSection(model: QcReportModel, index: number): string {
  const output = model.findings.outputs[index]!;
  const threshold = model.thresholds[output.name];
  const worst = output.ssim.reduce((w, v, i) => (v < output.ssim[w]! ? i : w), 0);
  return [
    `<section class="output" data-output="${escapeHtml(output.name)}">`,
    `<h2>${escapeHtml(output.name)}</h2>`,
    `<p class="stats">SSIM per frame (${output.ssim.length} frames): ${escapeHtml(stats(output.ssim))}; worst frame ${worst}` +
      `${threshold !== undefined ? `; gate ≥ ${threshold}` : ''}. PSNR: ${escapeHtml(stats(output.psnr))} dB.</p>`,
    ssimSvg(output.ssim, threshold !== undefined ? { threshold } : {}),
    `<h3>Frame ${model.findings.middleFrame}: source vs review</h3>`,
    stillPair(output.source, output.review, 'frame', 'frame'),
    stillPair(output.source, output.review, 'waveform', 'waveform'),
    stillPair(output.source, output.review, 'vectorscope', 'vectorscope'),
    '</section>',
  ].join('\n');
}

/** The whole report: one self-contained page (inline CSS, inline SVG, PNGs beside it, no script). */
export function renderQcReport(model: QcReportModel): string {
  const sheet = model.findings.contactSheet;
  const summary: [string, string][] = [
    ['source', model.source],
    ['profile', model.profile],
    ['backend', model.backend],
    ['colour', model.colour ?? 'none (the source is shown as decoded)'],
    ['generated', model.generatedAt],
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    // No network at all: images only from beside the page, no scripts.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' file:; style-src 'unsafe-inline'">`,
    `<title>QC: ${escapeHtml(model.source)}</title><style>${STYLE}</style></head><body>`,
    `<h1>Visual QC: ${escapeHtml(model.source)}</h1>`,
    keyValueTable(summary),
    ...model.warnings.map((w) => `<p class="warning">⚠ ${escapeHtml(w)}</p>`),
    `<h2>Contact sheet: ${escapeHtml(sheet.output)}</h2>`,
    `<p>${sheet.frames.length} frames (${sheet.columns}×${sheet.rows}): ${escapeHtml(sheet.frames.join(', '))}</p>`,
    `<img class="contact-sheet" src="${fileUrl(sheet.file)}" alt="contact sheet" width="${sheet.columns * sheet.tileWidth}" height="${sheet.rows * sheet.tileHeight}">`,
    ...model.findings.outputs.map((_, i) => outputSection(model, i)),
    '<h2>Colour pipeline</h2>',
    `<p class="colour">${escapeHtml(model.colour ?? 'none')}</p>`,
    '<h2>Metadata to be registered</h2>',
    ...model.components.map(
      (c) =>
        `<h3>${escapeHtml(c.component)}</h3>${c.ftrMeta ? keyValueTable([['ftr_meta', c.ftrMeta]]) : ''}${keyValueTable(
          Object.entries(c.metadata).sort(([a], [b]) => a.localeCompare(b)),
          'kv metadata',
        )}`,
    ),
    '<h2>ffmpeg command lines</h2>',
    '<h3>encode</h3>',
    ...model.encodeCommands.map((c) => `<pre class="command">${escapeHtml(formatCommandLine(c))}</pre>`),
    '<h3>QC passes</h3>',
    ...model.findings.commands.map((c) => `<pre class="command">${escapeHtml(formatCommandLine(c))}</pre>`),
    '</body></html>',
    '',
  ].join('\n');
}
