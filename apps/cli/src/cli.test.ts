import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EncodeError, resolveConfig } from '@ftrack-encode/core';
import { Terminal } from './output/terminal.js';
import { chooseBackend } from '@ftrack-encode/composition';
import { exitCodeHelp } from './exit-codes.js';

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

describe('Terminal', () => {
  it('prints one JSON error object in --json mode and returns the stable exit code', () => {
    const out = capture();
    const err = capture();
    const code = new Terminal({ json: true, quiet: false }, out.stream, err.stream).fail(
      new EncodeError('E_FTRACK_AUTH', 'Authentication failed for user ci at http://h (apiKey=SECRET)', { hint: 'check FTRACK_API_KEY' }),
    );
    expect(code).toBe(50);
    const parsed = JSON.parse(out.text()) as { error: { code: string; hint: string } };
    expect(parsed.error).toMatchObject({ code: 'E_FTRACK_AUTH', hint: 'check FTRACK_API_KEY' });
    expect(err.text()).toBe('');
  });

  it('redacts keys in human error messages and writes progress as plain lines off a TTY', () => {
    const out = capture();
    const err = capture();
    const terminal = new Terminal({ json: false, quiet: false }, out.stream, err.stream);
    terminal.fail(new EncodeError('E_FTRACK_FAILED', 'GET http://h/component/get?id=1&apiKey=SECRET failed'));
    expect(err.text()).toContain('error E_FTRACK_FAILED');
    expect(err.text()).not.toContain('SECRET');
    for (const percent of [1, 5, 12, 55, 99.5]) terminal.progress({ stage: 'encode', percent });
    expect(err.text().match(/^encode \d+%$/gm)).toEqual(['encode 1%', 'encode 12%', 'encode 55%', 'encode 99%']);
  });

  it('keeps stdout clean of progress in --json mode', () => {
    const out = capture();
    const err = capture();
    const terminal = new Terminal({ json: true, quiet: false }, out.stream, err.stream);
    terminal.progress({ stage: 'encode', percent: 50 });
    terminal.print('human text');
    expect(out.text() + err.text()).toBe('');
  });
});

describe('backend choice', () => {
  it('auto picks native when ffmpeg is on PATH, wasm when the configured binary does not exist', async () => {
    const native = await chooseBackend('auto', resolveConfig({}));
    expect(native.backend).toBe('native');
    const missing = await chooseBackend('auto', resolveConfig({ file: { ffmpegPath: '/nonexistent/ffmpeg' } }));
    expect(missing).toMatchObject({ backend: 'wasm' });
    expect(missing.reason).toContain('ffmpeg.wasm');
  });

  it('lists every error code with its exit code in --help', () => {
    expect(exitCodeHelp()).toMatch(/ 12 {2}E_SEQUENCE_GAPS/);
    expect(exitCodeHelp()).toMatch(/130 {2}E_CANCELLED/);
  });
});
