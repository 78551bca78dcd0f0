// Unit tests of the page's pure parts (the page itself runs in test/web.e2e.test.ts).
import { EncodeError } from '@ftrack-encode/core';
import { describe, expect, it } from 'vitest';
import { webReviewProfile } from './encode/web-profile.js';
import { wasmAssets } from './encode/wasm-assets.js';
import { initialCredentials, storeCredentials } from './settings.js';
import { friendlyError } from './ui/messages.js';

class MemoryStorage implements Storage {
  private readonly values = new Map<string, string>();
  get length(): number {
    return this.values.size;
  }
  clear(): void {
    this.values.clear();
  }
  getItem(key: string): string | null {
    return this.values.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.values.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.values.delete(key);
  }
  setItem(key: string, value: string): void {
    this.values.set(key, value);
  }
}

function page(href: string): { location: Location; history: History; replaced: string[] } {
  const url = new URL(href);
  const replaced: string[] = [];
  const location = { origin: url.origin, pathname: url.pathname, search: url.search, hash: url.hash } as Location;
  const history = { replaceState: (_s: unknown, _t: string, to: string) => void replaced.push(to) } as History;
  return { location, history, replaced };
}

describe('initialCredentials', () => {
  it('takes the key from the fragment and removes it from the address bar', () => {
    const { location, history, replaced } = page('http://127.0.0.1:9000/web/?x=1#user=dev&key=secret');
    expect(initialCredentials(location, new MemoryStorage(), history)).toEqual({ serverUrl: 'http://127.0.0.1:9000', user: 'dev', apiKey: 'secret' });
    expect(replaced).toEqual(['/web/?x=1']);
  });

  it("falls back to this tab's sessionStorage, then to the page origin", () => {
    const storage = new MemoryStorage();
    const { location, history, replaced } = page('http://127.0.0.1:9000/web/');
    expect(initialCredentials(location, storage, history)).toEqual({ serverUrl: 'http://127.0.0.1:9000' });
    storeCredentials(storage, { serverUrl: 'https://studio.ftrackapp.com', user: 'ana', apiKey: 'k' });
    expect(initialCredentials(location, storage, history)).toEqual({ serverUrl: 'https://studio.ftrackapp.com', user: 'ana', apiKey: 'k' });
    expect(replaced).toEqual([]);
  });
});

describe('friendlyError', () => {
  it('says what a reviewer can do, without codes', () => {
    expect(friendlyError(new EncodeError('E_SOURCE_UNREADABLE', 'x has no video stream')).title).toBe('This file is not a video or image ffmpeg can read.');
    expect(friendlyError(new EncodeError('E_FTRACK_AUTH', 'denied')).detail).toBeUndefined();
    expect(friendlyError(new Error('boom'))).toMatchObject({ title: 'Something went wrong.', detail: 'boom' });
  });
});

describe('web profile and assets', () => {
  it('is ftrack-review without the webm and 1080 outputs, H.264 at veryfast', () => {
    const profile = webReviewProfile();
    expect(profile.outputs.map((o) => o.name)).toEqual(['ftrackreview-mp4', 'thumbnail']);
    expect(profile.outputs[0]).toMatchObject({ codec: 'h264', container: 'mp4', preset: 'veryfast', size: { maxWidth: 1280, maxHeight: 720 } });
    expect(profile.stillOutputs?.map((o) => o.name)).toEqual(['ftrackreview-image', 'thumbnail']);
  });

  it('loads the cores from this app, absolute, never a CDN', () => {
    const assets = wasmAssets('/web/', 'http://127.0.0.1:9000/web/index.html');
    expect(assets.coreURL).toBe('http://127.0.0.1:9000/web/ffmpeg/st/ffmpeg-core.js');
    expect(assets.mt?.workerURL).toBe('http://127.0.0.1:9000/web/ffmpeg/mt/ffmpeg-core.worker.js');
  });
});
