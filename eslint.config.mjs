// Lint exists to enforce the dependency rule of DESIGN.md (docs/architecture.md):
// core depends on nothing of ours, adapters only on core and the pure ffmpeg lib,
// nothing imports an app, and the testing lib is reachable from tests only.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const base = ['type:core'];
const pure = [...base, 'type:shared'];
// Packages that are I/O: core (pure domain and use cases) never imports them, nor Node built-ins.
const ioPackages = ['execa', '@ftrack/api', 'bullmq', 'ioredis', 'better-sqlite3', 'ws', 'pino', 'prom-client', '@ffmpeg/*'];
// Test tooling never reaches production code.
const testPackages = ['vitest', '@vitest/*', 'playwright-core', '@ftrack-encode/testing'];
const productionConstraints = [
  { sourceTag: 'type:core', onlyDependOnLibsWithTags: base, bannedExternalImports: [...ioPackages, ...testPackages] },
  // The shared ffmpeg knowledge spawns nothing and talks to no server (its node/ entry reads directories only).
  { sourceTag: 'type:shared', onlyDependOnLibsWithTags: pure, bannedExternalImports: [...ioPackages, ...testPackages] },
  { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: pure, bannedExternalImports: testPackages },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: pure },
  // The one place configuration becomes adapters; only apps import it.
  { sourceTag: 'type:composition', onlyDependOnLibsWithTags: [...pure, 'type:adapter'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: [...pure, 'type:adapter', 'type:composition'] },
];
// Tests may wire real adapters together (a registry against ftrack-local) and use the
// contract suites; they still never import an app.
const testConstraints = [{ sourceTag: '*', onlyDependOnLibsWithTags: [...pure, 'type:adapter', 'type:composition', 'type:testing'] }];

const boundaries = (depConstraints) => ({
  '@nx/enforce-module-boundaries': [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow: [],
      depConstraints,
      banTransitiveDependencies: false,
      // Apps load adapters lazily (fast start) but statically import each adapter's plug-in
      // descriptor, a small entry that loads the adapter itself only when registered.
      checkDynamicDependenciesExceptions: ['@ftrack-encode/**/descriptor'],
    },
  ],
});

// test-support/: a lib's helpers for its own tests (they may use vitest; production code never imports them).
const testFiles = ['**/*.test.ts', '**/*.e2e.test.ts', 'test/**/*.ts', 'tools/**/*.ts', 'libs/*/src/test-support/**/*.ts'];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', 'bench/results/**', 'bench/tmp/**', '**/*.js', 'apps/web/public/**', '.nx/**'] },
  // Plain ES modules that Node runs without a build step: the wasm worker in libs (also type-checked,
  // see tsconfig.mjs.json), the bin launchers, the build and bench scripts, this file.
  {
    files: ['**/*.mjs'],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: globals.node },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: 'module' } },
    plugins: { '@nx': nx },
    rules: boundaries(productionConstraints),
  },
  { files: testFiles, rules: boundaries(testConstraints) },
  // Node built-ins are not packages to the boundary rule: core's ban on them is a plain import rule.
  {
    files: ['libs/core/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'core does no I/O: put it behind a port and implement it in an adapter.' }] },
      ],
    },
  },
  // Test-runner config files import the shared root config by path; they are not project code.
  { files: ['**/vitest.config.ts', 'vitest.shared.ts'], rules: { '@nx/enforce-module-boundaries': 'off' } },
];
