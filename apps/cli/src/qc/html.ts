// Pieces of the QC report's HTML. Everything that is not markup written here goes through escapeHtml:
// file names, profile names, metadata and command lines can hold any character.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values (quoted with " or ') safe in HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A file beside the page as a relative URL: each path segment percent-encoded, then escaped. */
export function fileUrl(name: string): string {
  return escapeHtml(name.split('/').map(encodeURIComponent).join('/'));
}

export interface SsimPlotOptions {
  width?: number;
  height?: number;
  /** The gate's threshold, drawn as a dashed line. */
  threshold?: number;
}

function round(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/**
 * Per-frame SSIM as an inline SVG: one circle per frame (class "frame", data-frame, data-ssim) on a
 * polyline; the y axis spans from the worst value (or the threshold, if lower) to 1.
 */
export function ssimSvg(values: readonly number[], options: SsimPlotOptions = {}): string {
  const width = options.width ?? 720;
  const height = options.height ?? 180;
  const pad = 32;
  const finite = values.filter(Number.isFinite);
  const low = Math.min(options.threshold ?? 1, ...finite, 0.999);
  const bottom = Math.max(0, Math.floor(low * 100 - 1) / 100);
  const x = (i: number) => pad + (values.length <= 1 ? 0 : (i * (width - 2 * pad)) / (values.length - 1));
  const y = (v: number) => height - pad - ((Math.min(1, Math.max(bottom, v)) - bottom) * (height - 2 * pad)) / (1 - bottom);
  const points = values.map((v, i) => `${round(x(i))},${round(y(v))}`);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="ssim-plot" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="SSIM per frame">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#888"/>`,
    `<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="#888"/>`,
    `<text x="2" y="${pad + 4}" font-size="10">1.00</text>`,
    `<text x="2" y="${height - pad + 4}" font-size="10">${bottom.toFixed(2)}</text>`,
    `<text x="${pad}" y="${height - 8}" font-size="10">frame 0</text>`,
    `<text x="${width - pad}" y="${height - 8}" font-size="10" text-anchor="end">frame ${Math.max(0, values.length - 1)}</text>`,
  ];
  if (options.threshold !== undefined) {
    const t = round(y(options.threshold));
    parts.push(`<line class="threshold" x1="${pad}" y1="${t}" x2="${width - pad}" y2="${t}" stroke="#c00" stroke-dasharray="4 3"/>`);
  }
  parts.push(`<polyline fill="none" stroke="#2a6fdb" stroke-width="1.5" points="${points.join(' ')}"/>`);
  values.forEach((v, i) => {
    parts.push(
      `<circle class="frame" data-frame="${i}" data-ssim="${v}" cx="${round(x(i))}" cy="${round(y(v))}" r="2" fill="#2a6fdb"><title>frame ${i}: ${v.toFixed(4)}</title></circle>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** A two-column table of text pairs. */
export function keyValueTable(rows: readonly (readonly [string, string])[], className = 'kv'): string {
  return `<table class="${escapeHtml(className)}">${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}
