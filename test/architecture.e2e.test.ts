// Keeps the house honest: the dependency rule is enforced by lint, and every encoder-*
// and storage-* adapter runs its port's contract suite.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('dependency rule (lint)', () => {
  let eslint: ESLint;
  beforeAll(() => {
    execFileSync('npx', ['nx', 'show', 'projects'], { cwd: root, stdio: 'ignore' });
    eslint = new ESLint({ cwd: root });
  });

  async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
    return (result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports').map((m) => m.message);
  }

  it.each([
    ['core importing an adapter', 'libs/core/src/x.ts', "import { NodeHasher } from '@ftrack-encode/node-platform';"],
    ['an adapter importing another adapter', 'libs/encoder-native/src/x.ts', "import { DiskStorageAccessor } from '@ftrack-encode/storage-disk';"],
    ['production code importing the testing lib', 'libs/encoder-native/src/x.ts', "import { describeEncoderContract } from '@ftrack-encode/testing';"],
    ['core importing the ffmpeg lib', 'libs/core/src/x.ts', "import { probeArgs } from '@ftrack-encode/ffmpeg';"],
    ['an adapter importing the composition (only apps compose)', 'libs/storage-disk/src/x.ts', "import { createScope } from '@ftrack-encode/composition';"],
    ['core importing the composition', 'libs/core/src/x.ts', "import { createScope } from '@ftrack-encode/composition';"],
    ['core importing a Node built-in', 'libs/core/src/x.ts', "import { readFile } from 'node:fs/promises';"],
    ['core importing execa', 'libs/core/src/x.ts', "import { execa } from 'execa';"],
    ['core importing the ftrack client', 'libs/core/src/x.ts', "import { Session } from '@ftrack/api';"],
    ['core importing bullmq', 'libs/core/src/x.ts', "import { Queue } from 'bullmq';"],
    ['the shared ffmpeg lib spawning processes', 'libs/ffmpeg/src/x.ts', "import { execa } from 'execa';"],
    ['the shared ffmpeg lib opening a database', 'libs/ffmpeg/src/x.ts', "import Database from 'better-sqlite3';"],
    ['an adapter importing vitest in production code', 'libs/storage-disk/src/x.ts', "import { expect } from 'vitest';"],
    ['an adapter importing playwright in production code', 'libs/encoder-wasm/src/x.ts', "import { chromium } from 'playwright-core';"],
  ])('rejects %s', async (_name, file, code) => {
    expect(await boundaryErrors(file, `${code}\nexport const used = 1;\n`)).not.toEqual([]);
  });

  it('allows an adapter to use core and the pure ffmpeg lib, and tests to use the testing lib', async () => {
    expect(
      await boundaryErrors(
        'libs/encoder-native/src/x.ts',
        "import { TOKENS } from '@ftrack-encode/core';\nimport { probeArgs } from '@ftrack-encode/ffmpeg';\n",
      ),
    ).toEqual([]);
    expect(await boundaryErrors('libs/encoder-native/src/x.test.ts', "import { describeEncoderContract } from '@ftrack-encode/testing';\n")).toEqual([]);
    expect(await boundaryErrors('libs/storage-disk/src/x.test.ts', "import { expect } from 'vitest';\nexport const used = expect;\n")).toEqual([]);
    expect(
      await boundaryErrors('apps/daemon/src/x.ts', "import { createScope } from '@ftrack-encode/composition';\nexport const used = createScope;\n"),
    ).toEqual([]);
  });
});

describe('plain .mjs in libs is linted (the wasm worker; tsconfig.mjs.json type-checks it too)', () => {
  const file = 'libs/encoder-wasm/src/node/x.mjs';
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: root });
  });

  async function errors(code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: join(root, file) });
    return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
  }

  it('is not ignored', async () => {
    expect(await eslint.isPathIgnored(join(root, file))).toBe(false);
  });

  it('rejects an undefined variable', async () => {
    expect(await errors("import { parentPort } from 'node:worker_threads';\nparentPort?.postMessage(undefinedResult);\n")).toEqual([
      expect.stringMatching(/^no-undef: 'undefinedResult' is not defined/),
    ]);
  });

  it('accepts Node globals', async () => {
    expect(await errors("globalThis.self = globalThis;\nprocess.stdout.write(Buffer.from('ok'));\n")).toEqual([]);
  });
});

describe('adapters run their contract suites', () => {
  const libs = readdirSync(join(root, 'libs')).filter((name) => /^(encoder|storage)-/.test(name));

  function testSources(lib: string): string {
    const dir = join(root, 'libs', lib, 'src');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.test.ts')) files.push(readFileSync(join(d, e.name), 'utf8'));
      }
    };
    if (existsSync(dir)) walk(dir);
    return files.join('\n');
  }

  it.each(libs)('%s runs its port contract', (lib) => {
    const suite = lib.startsWith('encoder-') ? 'describeEncoderContract' : 'describeStorageContract';
    expect(testSources(lib)).toContain(`${suite}(`);
  });
});
