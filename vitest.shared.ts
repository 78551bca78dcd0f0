// One vitest config shape for every project: the tsconfig path aliases, node
// environment, generous timeouts (real ffmpeg, real servers on a 2-core box).
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { defineConfig, type ViteUserConfig as UserConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const tsconfig = JSON.parse(readFileSync(`${root}tsconfig.base.json`, 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};

/** Aliases from tsconfig paths, longest first so `ffmpeg/node` wins over `ffmpeg`. */
export const workspaceAliases = Object.entries(tsconfig.compilerOptions.paths)
  .sort(([a], [b]) => b.length - a.length)
  .map(([find, [target]]) => ({ find, replacement: `${root}${target}` }));

export function projectConfig(projectDir: string, overrides: UserConfig['test'] = {}): UserConfig {
  return defineConfig({
    root: projectDir,
    resolve: { alias: workspaceAliases },
    test: {
      environment: 'node',
      include: ['src/**/*.test.ts', '*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      pool: 'forks',
      ...overrides,
    },
  });
}
