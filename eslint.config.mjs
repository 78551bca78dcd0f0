// Lint exists to enforce the dependency rule of DESIGN.md (docs/architecture.md):
// core depends on nothing of ours, adapters only on core and the pure ffmpeg lib,
// nothing imports an app, and the testing lib is reachable from tests only.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const base = ['type:core'];
const pure = [...base, 'type:shared'];
const productionConstraints = [
  { sourceTag: 'type:core', onlyDependOnLibsWithTags: base },
  { sourceTag: 'type:shared', onlyDependOnLibsWithTags: pure },
  { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: pure },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: pure },
  // The one place configuration becomes adapters; only apps import it.
  { sourceTag: 'type:composition', onlyDependOnLibsWithTags: [...pure, 'type:adapter'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: [...pure, 'type:adapter', 'type:composition'] },
];
// Tests may wire real adapters together (a registry against ftrack-local) and use the
// contract suites; they still never import an app.
const testConstraints = [
  { sourceTag: '*', onlyDependOnLibsWithTags: [...pure, 'type:adapter', 'type:composition', 'type:testing'] },
];

const boundaries = (depConstraints) => ({
  '@nx/enforce-module-boundaries': [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow: [],
      depConstraints,
      banTransitiveDependencies: false,
      // Apps load adapters lazily (fast start) but statically import their small entries:
      // libs/ftrack's browser-safe registration builder and each adapter's plug-in descriptor
      // (which loads the adapter itself only when registered).
      checkDynamicDependenciesExceptions: [
        '@ftrack-encode/ftrack/registration',
        '@ftrack-encode/**/descriptor',
      ],
    },
  ],
});

const testFiles = ['**/*.test.ts', '**/*.e2e.test.ts', 'test/**/*.ts', 'tools/**'];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', 'bench/results/**', '**/*.mjs', '**/*.js', 'apps/web/public/**', '.nx/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: 'module' } },
    plugins: { '@nx': nx },
    rules: boundaries(productionConstraints),
  },
  { files: testFiles, rules: boundaries(testConstraints) },
  // Test-runner config files import the shared root config by path; they are not project code.
  { files: ['**/vitest.config.ts', 'vitest.shared.ts'], rules: { '@nx/enforce-module-boundaries': 'off' } },
];
