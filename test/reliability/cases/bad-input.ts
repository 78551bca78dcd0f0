// Bad input to `encode` and `publish`: each row is a command line that must fail with one exact code
// and leave --out empty (no partial file), nothing registered and nothing stored.
import { copyFile, mkdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ErrorCode } from '@ftrack-encode/core';
import type { Harness, RowContext } from '../harness.js';
import { failingRow, type FailingRun } from './builders.js';
import type { ReliabilityCase } from '../table.js';

type Input = (h: Harness, ctx: RowContext) => Promise<string> | string;

const encode =
  (input: Input, ...extra: string[]) =>
  async (h: Harness, ctx: RowContext): Promise<FailingRun> => ({
    args: ['encode', await input(h, ctx), '--out', ctx.out, '--json', ...extra],
  });

const publish =
  (input: Input, ...extra: string[]) =>
  async (h: Harness, ctx: RowContext): Promise<FailingRun> => {
    const versionId = await h.newVersion();
    return { args: ['publish', await input(h, ctx), '--version', versionId, '--json', ...extra], versionId };
  };

const file = (name: string, content: string | Buffer) => async (_h: Harness, ctx: RowContext) => {
  const path = join(ctx.dir, name);
  await writeFile(path, content);
  return path;
};

const config = (content: unknown) => async (_h: Harness, ctx: RowContext) => {
  const path = join(ctx.dir, 'ftrack-encode.config.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

const small = (h: Harness) => h.clips.small;
const missing = (_h: Harness, ctx: RowContext) => join(ctx.dir, 'no-such-clip.mov');
const textFile = file('not-a-movie.mov', 'this is not a movie\n');
const zeroBytes = file('empty.mov', '');
const directory = async (_h: Harness, ctx: RowContext) => {
  await mkdir(join(ctx.dir, 'a-directory'), { recursive: true });
  return join(ctx.dir, 'a-directory');
};
const emptySequence = async (_h: Harness, ctx: RowContext) => {
  await mkdir(join(ctx.dir, 'frames'), { recursive: true });
  return join(ctx.dir, 'frames', 'shot.%04d.png');
};
const gapped = async (h: Harness) => (await h.fixtures.gappedSequence()).pattern;

/** A movie cut to `fraction` of its size; faststart keeps the header (frames missing), else the header is lost. */
const truncated = (faststart: boolean, fraction: number) => async (h: Harness, ctx: RowContext) => {
  const source = ((await h.fixtures.ensure({ kind: 'movie', width: 320, height: 180, rate: '24', frames: 24, audio: false, faststart })) as { path: string })
    .path;
  const path = join(ctx.dir, `truncated-${faststart ? 'faststart' : 'moov-at-end'}.mp4`);
  await copyFile(source, path);
  await truncate(path, Math.floor((await stat(path)).size * fraction));
  return path;
};

function row(
  name: string,
  fault: string,
  code: ErrorCode,
  setup: (h: Harness, ctx: RowContext) => Promise<FailingRun>,
  mentions?: (run: FailingRun) => string,
): ReliabilityCase {
  return failingRow({
    name,
    fault,
    code,
    setup,
    ...(mentions ? { check: (_h, _ctx, result, run) => void expect(result.stdout).toContain(mentions(run)) } : {}),
  });
}

/** The argument after `flag` in a run's args (e.g. the input after "encode"). */
const arg = (after: string) => (run: FailingRun) => run.args[run.args.indexOf(after) + 1]!;

export const badInputCases: ReliabilityCase[] = [
  row('encode: missing file', 'input path does not exist', 'E_SOURCE_NOT_FOUND', encode(missing), arg('encode')),
  row('encode: text file named .mov', 'input is plain text', 'E_SOURCE_UNREADABLE', encode(textFile), arg('encode')),
  row('encode: zero-byte file', 'input is an empty file', 'E_SOURCE_UNREADABLE', encode(zeroBytes), arg('encode')),
  row('encode: directory as input', 'input is a directory', 'E_SOURCE_UNREADABLE', encode(directory), arg('encode')),
  row(
    'encode: truncated movie (header kept)',
    'faststart mp4 cut to 50%: header declares more frames than can be read',
    'E_SOURCE_UNREADABLE',
    encode(truncated(true, 0.5)),
    () => 'truncated',
  ),
  row('encode: truncated movie (header lost)', 'mp4 with moov at the end cut to 50%', 'E_SOURCE_UNREADABLE', encode(truncated(false, 0.5)), arg('encode')),
  row('encode: empty sequence', 'pattern matches no frame', 'E_SEQUENCE_EMPTY', encode(emptySequence)),
  row('encode: sequence with gaps, default policy', '1001..1012 missing 1004, 1005, 1009; no --gaps', 'E_SEQUENCE_GAPS', encode(gapped), () => '1004'),
  row('encode: unknown profile', '--profile no-such-profile', 'E_PROFILE_INVALID', encode(small, '--profile', 'no-such-profile'), () => 'no-such-profile'),
  row('encode: invalid custom profile', 'config defines a profile with no outputs', 'E_PROFILE_INVALID', async (h, ctx) => ({
    args: [
      'encode',
      h.clips.small,
      '--out',
      ctx.out,
      '--json',
      '--config',
      await config({ profiles: [{ name: 'broken', outputs: [] }] })(h, ctx),
      '--profile',
      'broken',
    ],
  })),
  row(
    'encode: bad config field',
    'config {"threads": "many"}',
    'E_CONFIG_INVALID',
    async (h, ctx) => ({
      args: ['encode', h.clips.small, '--out', ctx.out, '--json', '--config', await config({ threads: 'many' })(h, ctx)],
    }),
    () => 'threads',
  ),
  row('encode: config file is not JSON', 'config file holds "{nope"', 'E_CONFIG_INVALID', async (h, ctx) => ({
    args: ['encode', h.clips.small, '--out', ctx.out, '--json', '--config', await config('{nope')(h, ctx)],
  })),
  row('encode: config file missing', '--config names no file', 'E_CONFIG_INVALID', async (h, ctx) => ({
    args: ['encode', h.clips.small, '--out', ctx.out, '--json', '--config', join(ctx.dir, 'missing.json')],
  })),
  row('encode: bad --hash value', '--hash crc32', 'E_CONFIG_INVALID', encode(small, '--hash', 'crc32'), () => 'hashAlgorithm'),
  row('encode: unknown backend', '--backend bogus', 'E_CONFIG_INVALID', encode(small, '--backend', 'bogus'), () => 'backend'),
  row('encode: unknown --gaps policy', '--gaps sometimes', 'E_CONFIG_INVALID', encode(small, '--gaps', 'sometimes'), () => 'gapPolicy'),
  failingRow({
    name: 'encode: --out is a regular file',
    fault: '--out names an existing file',
    code: 'E_OUTPUT_UNWRITABLE',
    state: 'the file is untouched, nothing written beside it',
    setup: async (h, ctx) => ({ args: ['encode', h.clips.small, '--out', await file('a-file', 'keep me\n')(h, ctx), '--json'] }),
    check: async (_h, ctx) => {
      expect(await readFile(join(ctx.dir, 'a-file'), 'utf8')).toBe('keep me\n');
    },
  }),
  failingRow({
    name: 'encode: --out under a regular file',
    fault: '--out is <file>/out',
    code: 'E_OUTPUT_UNWRITABLE',
    setup: async (h, ctx) => ({ args: ['encode', h.clips.small, '--out', join(await file('blocker', 'x')(h, ctx), 'out'), '--json'] }),
  }),
  row('publish: missing file', 'input path does not exist', 'E_SOURCE_NOT_FOUND', publish(missing)),
  row('publish: text file as input', 'input is plain text', 'E_SOURCE_UNREADABLE', publish(textFile)),
  row('publish: zero-byte file', 'input is an empty file', 'E_SOURCE_UNREADABLE', publish(zeroBytes)),
  row('publish: truncated movie', 'faststart mp4 cut to 50%', 'E_SOURCE_UNREADABLE', publish(truncated(true, 0.5))),
  row('publish: sequence with gaps, default policy', 'gapped PNG sequence, no --gaps', 'E_SEQUENCE_GAPS', publish(gapped)),
  row('publish: unknown profile', '--profile no-such-profile', 'E_PROFILE_INVALID', publish(small, '--profile', 'no-such-profile')),
  row('publish: unknown backend', '--backend bogus', 'E_CONFIG_INVALID', publish(small, '--backend', 'bogus')),
  gapsFilled('hold'),
  gapsFilled('black'),
  {
    name: 'publish: sequence with gaps, --gaps hold',
    fault: 'gapped PNG sequence published with --gaps hold',
    expected: 'success',
    state: 'registered once (12-frame review media), healthy; re-run skipped',
    run: async (h) => {
      const ctx = await h.context('publish-gaps-hold');
      const versionId = await h.newVersion();
      const args = ['publish', (await h.fixtures.gappedSequence()).pattern, '--version', versionId, '--gaps', 'hold', '--json'];
      h.expectSuccess(await h.cli(args, ctx));
      const components = await h.expectHealthy(versionId, ['ftrackreview-mp4', 'ftrackreview-webm', 'thumbnail']);
      const meta = JSON.parse(components.find((c) => c.name === 'ftrackreview-mp4')!.metadata['ftr_meta'] ?? '{}') as { frameOut?: number };
      expect(meta.frameOut, 'held frames fill the gaps').toBe(12);
      await h.expectNoScratch(ctx);
      await h.expectRerunSkipped(args, ctx, versionId);
    },
  },
];

/** A gapped sequence with a fill policy encodes every frame and leaves only the outputs in --out. */
function gapsFilled(policy: 'hold' | 'black'): ReliabilityCase {
  return {
    name: `encode: sequence with gaps, --gaps ${policy}`,
    fault: `1001..1012 missing 1004, 1005, 1009; --gaps ${policy}`,
    expected: 'success',
    state: '12-frame outputs; --out holds exactly the outputs (no partial file)',
    run: async (h) => {
      const ctx = await h.context(`gaps-${policy}`);
      const result = await h.cli(['encode', (await h.fixtures.gappedSequence()).hashPattern, '--out', ctx.out, '--gaps', policy, '--json'], ctx);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const json = JSON.parse(result.stdout) as { outputs: { name: string; path: string; frames: number }[] };
      expect(json.outputs.find((o) => o.name === 'ftrackreview-mp4')?.frames).toBe(12);
      expect(await h.expectNoPartials(ctx.out)).toEqual(json.outputs.map((o) => o.path.slice(ctx.out.length + 1)).sort());
    },
  };
}
