// The contributor kit end to end: in a copy of this workspace, each generator makes a lib that
// lints, type-checks, shows up in --help and config validation, and whose contract suite runs
// and fails only with "not implemented" — a contributor's first run says exactly what to build.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FTRACK_ENCODE_NO_BUILD: '1', CI: process.env['CI'] ?? '' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cwd: string, command: string, args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, env, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Every failed test's messages from a vitest JSON report, and how many passed. */
async function contractOutcome(report: string): Promise<{ failed: string[]; passed: number }> {
  const json = JSON.parse(await readFile(report, 'utf8')) as { testResults: { assertionResults: { status: string; failureMessages: string[] }[] }[] };
  const results = json.testResults.flatMap((f) => f.assertionResults);
  return {
    failed: results.filter((r) => r.status === 'failed').map((r) => r.failureMessages.join('\n').split('\n')[0] ?? ''),
    passed: results.filter((r) => r.status === 'passed').length,
  };
}

describe('adapter generators', () => {
  let ws: string;

  beforeAll(async () => {
    // The workspace as git sees it (tracked and new files), with this checkout's node_modules.
    ws = await mkdtemp(join(tmpdir(), 'ftrack-encode-generators-'));
    const { stdout } = await exec('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 64 << 20 });
    for (const file of stdout.split('\0').filter(Boolean)) {
      await mkdir(dirname(join(ws, file)), { recursive: true });
      await cp(join(root, file), join(ws, file)).catch(() => undefined); // files deleted but not yet staged
    }
    await symlink(join(root, 'node_modules'), join(ws, 'node_modules'));
    const encoder = await run(ws, 'npx', ['nx', 'g', '@ftrack-encode/tools:encoder', '--name=acme-gpu']);
    expect(encoder.code, encoder.stderr).toBe(0);
    expect(encoder.stdout).toContain('registered as --backend acme-gpu');
    const storage = await run(ws, 'npx', ['nx', 'g', '@ftrack-encode/tools:storage', 'vault']);
    expect(storage.code, storage.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    if (ws) await rm(ws, { recursive: true, force: true });
  });

  it('writes the lib and changes nothing else but the registry line and the tsconfig paths', async () => {
    const registry = await readFile(join(ws, 'libs/composition/src/adapters.ts'), 'utf8');
    expect(registry).toContain("import { acmeGpuEncoder } from '@ftrack-encode/encoder-acme-gpu/descriptor';");
    expect(registry).toMatch(/ENCODERS = \[[^\]]*acmeGpuEncoder,\n\]/);
    expect(registry).toMatch(/STORAGES = \[[^\]]*vaultStorage,\n\]/);
    const before = await readFile(join(root, 'libs/composition/src/adapters.ts'), 'utf8');
    expect(registry.split('\n').length - before.split('\n').length).toBe(4);
    const paths = (JSON.parse(await readFile(join(ws, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } })
      .compilerOptions.paths;
    expect(paths['@ftrack-encode/encoder-acme-gpu']).toEqual(['libs/encoder-acme-gpu/src/index.ts']);
    expect(paths['@ftrack-encode/storage-vault/descriptor']).toEqual(['libs/storage-vault/src/descriptor.ts']);
    const project = JSON.parse(await readFile(join(ws, 'libs/encoder-acme-gpu/project.json'), 'utf8')) as { tags: string[] };
    expect(project.tags).toContain('type:adapter');
  });

  it('type-checks and lints (the dependency rule included)', async () => {
    const tsc = await run(ws, 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
    expect(tsc.code, tsc.stdout).toBe(0);
    await run(ws, 'npx', ['nx', 'show', 'projects']);
    const lint = await run(ws, 'npx', ['eslint', 'libs/encoder-acme-gpu', 'libs/storage-vault', 'libs/composition', '--max-warnings=0']);
    expect(lint.code, lint.stdout).toBe(0);
    const format = await run(ws, 'npx', ['prettier', '--check', 'libs/encoder-acme-gpu', 'libs/storage-vault', 'libs/composition', 'tsconfig.base.json']);
    expect(format.code, format.stdout + format.stderr).toBe(0);
  }, 180_000);

  it('the new backend and location type are in --help and pass config validation', async () => {
    const build = await run(ws, 'node', ['tools/build.mjs']);
    expect(build.code, build.stderr).toBe(0);
    const encodeHelp = await run(ws, 'node', ['bin/ftrack-encode.mjs', 'encode', '--help']);
    expect(encodeHelp.stdout).toMatch(/auto \| native \| wasm \| farm \| acme-gpu/);
    expect(encodeHelp.stdout).toMatch(/acme-gpu +acme-gpu encoder/);
    expect((await run(ws, 'node', ['bin/ftrack-encode.mjs', 'publish', '--help'])).stdout).toMatch(/vault +vault storage/);

    const clip = join(ws, 'clip.mp4');
    await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24', '-t', '1', '-pix_fmt', 'yuv420p', clip]);
    const config = join(ws, 'acme.config.json');
    await writeFile(config, JSON.stringify({ backend: 'acme-gpu', locations: [{ name: 'studio.vault', type: 'vault' }] }));
    // Accepted by validation, registered by the composition: the skeleton itself answers.
    const encode = await run(ws, 'node', ['bin/ftrack-encode.mjs', 'encode', clip, '--out', join(ws, 'out'), '--json', '--config', config]);
    expect(JSON.parse(encode.stdout)).toMatchObject({ error: { code: 'E_UNSUPPORTED', message: expect.stringContaining('not implemented') } });
    await writeFile(config, JSON.stringify({ backend: 'acme', locations: [{ name: 'studio.vault', type: 'vaults' }] }));
    const bad = await run(ws, 'node', ['bin/ftrack-encode.mjs', 'encode', clip, '--json', '--config', config]);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'E_CONFIG_INVALID' } });
    expect(bad.stdout).toContain('(auto | native | wasm | farm | ftrack | acme-gpu)');
    expect(bad.stdout).toContain('(ftrack-server, disk, vault)');
  }, 180_000);

  it.each([
    ['encoder-acme-gpu', 'AcmeGpuEncoder'],
    ['storage-vault', 'VaultStorage'],
  ])(
    'the %s contract suite runs and fails only with "not implemented"',
    async (lib, className) => {
      const report = join(ws, `${lib}-report.json`);
      await run(ws, 'npx', ['vitest', 'run', '--config', `libs/${lib}/vitest.config.ts`, '--reporter=json', `--outputFile=${report}`]);
      const { failed } = await contractOutcome(report);
      expect(failed.length).toBeGreaterThan(5);
      for (const message of failed) expect(message).toMatch(new RegExp(`${className}\\.\\w+\\(.*\\): not implemented`));
    },
    180_000,
  );
});
