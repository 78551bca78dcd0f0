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
    return (result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  }

  it.each([
    ['core importing an adapter', 'libs/core/src/x.ts', "import { NodeHasher } from '@ftrack-encode/node-platform';"],
    ['an adapter importing another adapter', 'libs/encoder-native/src/x.ts', "import { DiskStorageAccessor } from '@ftrack-encode/storage-disk';"],
    ['production code importing the testing lib', 'libs/encoder-native/src/x.ts', "import { describeEncoderContract } from '@ftrack-encode/testing';"],
    ['core importing the ffmpeg lib', 'libs/core/src/x.ts', "import { probeArgs } from '@ftrack-encode/ffmpeg';"],
    ['an adapter importing the composition (only apps compose)', 'libs/storage-disk/src/x.ts', "import { createScope } from '@ftrack-encode/composition';"],
    ['core importing the composition', 'libs/core/src/x.ts', "import { createScope } from '@ftrack-encode/composition';"],
  ])('rejects %s', async (_name, file, code) => {
    expect(await boundaryErrors(file, `${code}\nexport const used = 1;\n`)).not.toEqual([]);
  });

  it('allows an adapter to use core and the pure ffmpeg lib, and tests to use the testing lib', async () => {
    expect(await boundaryErrors('libs/encoder-native/src/x.ts', "import { TOKENS } from '@ftrack-encode/core';\nimport { probeArgs } from '@ftrack-encode/ffmpeg';\n")).toEqual([]);
    expect(await boundaryErrors('libs/encoder-native/src/x.test.ts', "import { describeEncoderContract } from '@ftrack-encode/testing';\n")).toEqual([]);
    expect(await boundaryErrors('apps/daemon/src/x.ts', "import { createScope } from '@ftrack-encode/composition';\nexport const used = createScope;\n")).toEqual([]);
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
