import { describe, expect, it } from 'vitest';
import type { QcFindings } from '@ftrack-encode/core';
import { escapeHtml, fileUrl, keyValueTable, ssimSvg } from './html.js';
import { renderQcReport, type QcReportModel } from './report-page.js';

const EVIL = `<script>alert("x")</script>&'`;

describe('escapeHtml', () => {
  it('escapes the five characters that can break out of text or a quoted attribute', () => {
    expect(escapeHtml(EVIL)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(escapeHtml('plain ünïcode 100%')).toBe('plain ünïcode 100%');
  });

  it('makes file names relative URLs (a "#" or "?" in a name stays part of it)', () => {
    expect(fileUrl('a #1?.png')).toBe('a%20%231%3F.png');
    expect(fileUrl('"x".png')).toBe('%22x%22.png');
  });

  it('escapes both columns of a table', () => {
    expect(keyValueTable([[EVIL, EVIL]])).not.toContain('<script>');
  });
});

describe('ssimSvg', () => {
  it('draws one point per frame with its value, and the threshold line', () => {
    const svg = ssimSvg([0.99, 0.98, 1, 0.5], { threshold: 0.97 });
    expect(svg.match(/<circle class="frame"/g)).toHaveLength(4);
    expect(svg).toContain('data-frame="3" data-ssim="0.5"');
    expect(svg).toContain('class="threshold"');
    expect(svg).toContain('frame 3</text>');
  });

  it('puts the worst frame at the bottom and 1 at the top', () => {
    const svg = ssimSvg([1, 0.9], { height: 100 });
    const ys = [...svg.matchAll(/cy="([0-9.]+)"/g)].map((m) => Number(m[1]));
    expect(ys[0]).toBe(32);
    expect(ys[1]).toBeGreaterThan(60);
  });
});

describe('renderQcReport', () => {
  const still = { frame: 'a<b>.png', waveform: 'w.png', vectorscope: 'v.png' };
  const findings: QcFindings = {
    contactSheet: { file: 'contact-sheet.png', output: 'mp4', frames: [0, 24], columns: 2, rows: 1, tileWidth: 240, tileHeight: 136 },
    middleFrame: 24,
    outputs: [{ name: EVIL, ssim: [0.99, 0.98], psnr: [45, Number.POSITIVE_INFINITY], source: still, review: still }],
    commands: [['ffmpeg', '-i', `${EVIL}.mov`]],
  };
  const model: QcReportModel = {
    source: EVIL,
    profile: EVIL,
    backend: 'native',
    generatedAt: '2026-12-01T00:00:00Z',
    colour: `${EVIL} -> srgb`,
    findings,
    thresholds: { [EVIL]: 0.97 },
    encodeCommands: [['ffmpeg', '-i', EVIL]],
    components: [{ component: EVIL, ftrMeta: '{"frameRate":24}', metadata: { 'ftrack_encode.source_path': EVIL } }],
    warnings: [EVIL],
  };
  const html = renderQcReport(model);

  it('never lets text become markup', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain("&'");
    expect(html.match(/&lt;script&gt;/g)!.length).toBeGreaterThanOrEqual(8);
    expect(html).toContain('src="a%3Cb%3E.png"');
  });

  it('is self-contained: no script, no remote URL, a CSP forbidding the network', () => {
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain('src="contact-sheet.png"');
    expect(html).toContain('width="480" height="136"');
  });

  it('shows scores, metadata, colour and both kinds of command line', () => {
    expect(html).toContain('SSIM per frame (2 frames): mean 0.9850, min 0.9800; worst frame 1; gate ≥ 0.97');
    expect(html).toContain('ftrack_encode.source_path');
    expect(html).toContain('{&quot;frameRate&quot;:24}');
    expect(html.match(/<pre class="command">/g)).toHaveLength(2);
  });
});
