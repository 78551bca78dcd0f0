import { describe, expect, it } from 'vitest';
import { PathRenames, inputPathInCore, outputPathInCore, relativePosix } from './memfs-paths.js';
import { parseCodecListing, parseFilterListing, wasmCapabilities } from './wasm-capabilities.js';
import { failureSummary } from './log-errors.js';
import { CorePool } from './core-pool.js';
import { cacheUnlessRejected } from './cache-unless-rejected.js';

describe('memfs paths', () => {
  it('maps real paths into the core namespace', () => {
    expect(relativePosix('/shots/a b/x.mov')).toBe('shots/a b/x.mov');
    expect(relativePosix('C:\\shots\\x.mov')).toBe('C/shots/x.mov');
    expect(inputPathInCore('/shots/x.mov')).toBe('/in/shots/x.mov');
    expect(outputPathInCore(2, '/out/.x_review.mp4.abc.partial.mp4')).toBe('/out/2/.x_review.mp4.abc.partial.mp4');
  });

  it('renames longest first and never twice', () => {
    const renames = new PathRenames().add('/d/', '/in/d/').add('/d/.x.partial.mp4', '/out/0/.x.partial.mp4');
    expect(renames.apply("file '/d/shot.0001.png'")).toBe("file '/in/d/shot.0001.png'");
    expect(renames.apply('/d/.x.partial.mp4')).toBe('/out/0/.x.partial.mp4');
    expect(new PathRenames().add('/a', '/in/a').apply('/a/a')).toBe('/in/a/in/a');
  });
});

describe('build listing', () => {
  const encoders = [
    ' V....D libx264              libx264 H.264 / AVC (codec h264)',
    ' V....D libvpx               libvpx VP8 (codec vp8)',
    ' V....D libvpx-vp9           libvpx VP9 (codec vp9)',
    ' V....D mjpeg                MJPEG',
    ' V..... = Video',
    "Reading option '-encoders' ... matched",
  ];
  const filters = [' ..C scale             V->V       Scale the input video size.', ' TSC format            V->V       Convert', '  T.. = Timeline support'];

  it('parses -encoders and -filters output, ignoring the debug noise', () => {
    expect(parseCodecListing(encoders)).toEqual(['libx264', 'libvpx', 'libvpx-vp9', 'mjpeg']);
    expect(parseFilterListing(filters)).toEqual(['scale', 'format']);
  });

  it('refuses VP9 with a VP8 fallback; no filters means no codecs', () => {
    const base = { id: 'wasm', version: 'v', encoders: parseCodecListing(encoders), decoders: ['png'], maxInputBytes: 1 };
    const caps = wasmCapabilities({ ...base, filters: ['scale', 'format'] });
    expect(caps.codecs).toEqual(['h264', 'vp8', 'mjpeg']);
    expect(caps.fallbacks).toEqual({ vp9: 'vp8' });
    expect(caps.unsupported.find((u) => u.codec === 'vp9')?.reason).toContain('#679');
    expect(wasmCapabilities({ ...base, filters: [] }).codecs).toEqual([]);
  });
});

describe('failureSummary', () => {
  it('picks the error lines out of debug output', () => {
    const log = ['Splitting the commandline.', "Unknown encoder 'libfoo'", 'Statistics: 5 bytes read', 'Aborted()'];
    expect(failureSummary(log)).toBe("Unknown encoder 'libfoo'");
  });
});

describe('CorePool', () => {
  it('starts at most `size` cores; a job beyond them waits for one to come free', async () => {
    const made: { disposed: boolean; dispose(): Promise<void> }[] = [];
    const pool = new CorePool(2, () => {
      const core = {
        disposed: false,
        async dispose() {
          core.disposed = true;
        },
      };
      made.push(core);
      return core;
    });
    let running = 0;
    let mostAtOnce = 0;
    const job = async () => {
      mostAtOnce = Math.max(mostAtOnce, ++running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
    };
    await Promise.all([pool.use(job), pool.use(job), pool.use(job)]);
    expect(made).toHaveLength(2);
    expect(mostAtOnce).toBe(2);
    await pool.dispose();
    expect(made.every((c) => c.disposed)).toBe(true);
  });
});

describe('cacheUnlessRejected', () => {
  it('starts once while pending or fulfilled, and again after a rejection', async () => {
    let starts = 0;
    let fail = true;
    const get = cacheUnlessRejected(async () => {
      starts++;
      if (fail) throw new Error(`start ${starts} failed`);
      return starts;
    });
    const [a, b] = [get(), get()];
    expect(a).toBe(b);
    await expect(a).rejects.toThrow('start 1 failed');
    fail = false;
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
    expect(starts).toBe(2);
  });
});
