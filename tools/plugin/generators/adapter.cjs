// `nx g @ftrack-encode/tools:encoder --name=<name>` and `...:storage --name=<name>`: a new
// adapter lib that is a plug-in from its first commit. Writes the lib, its tsconfig paths and
// its one line in the composition's registry; everything else (help, config validation,
// --backend / location types) follows from the descriptor.
const { join } = require('node:path');
const { formatFiles, generateFiles, logger, names, updateJson } = require('@nx/devkit');

const REGISTRY = 'libs/composition/src/adapters.ts';
const ARRAYS = { encoder: 'ENCODERS', storage: 'STORAGES' };

function optionsFor(kind, rawName) {
  const name = String(rawName ?? '').trim();
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`--name must be lower case letters, digits and dashes, starting with a letter (got "${name}")`);
  const lib = `${kind}-${name}`;
  const { className, propertyName, fileName } = names(name);
  return { kind, name, lib, className, camel: propertyName, fileName, descriptor: `${propertyName}${kind === 'encoder' ? 'Encoder' : 'Storage'}`, tmpl: '' };
}

/** Adds the import after the last import and the descriptor as the last entry of its array. */
function register(tree, options) {
  const text = tree.read(REGISTRY, 'utf-8');
  if (text.includes(`'@ftrack-encode/${options.lib}/descriptor'`)) return;
  const lines = text.split('\n');
  const lastImport = lines.reduce((at, line, index) => (line.startsWith('import ') ? index : at), -1);
  lines.splice(lastImport + 1, 0, `import { ${options.descriptor} } from '@ftrack-encode/${options.lib}/descriptor';`);
  const start = lines.findIndex((line) => line.startsWith(`export const ${ARRAYS[options.kind]} = [`));
  const end = lines.findIndex((line, index) => index > start && line.startsWith(']'));
  if (start < 0 || end < 0) throw new Error(`${REGISTRY}: cannot find the ${ARRAYS[options.kind]} array`);
  lines.splice(end, 0, `  ${options.descriptor},`);
  tree.write(REGISTRY, lines.join('\n'));
}

function adapterGenerator(kind) {
  return async function generate(tree, schema) {
    const options = optionsFor(kind, schema.name);
    const root = `libs/${options.lib}`;
    if (tree.exists(root)) throw new Error(`${root} already exists`);
    generateFiles(tree, join(__dirname, 'files', kind), root, options);
    updateJson(tree, 'tsconfig.base.json', (json) => {
      const paths = json.compilerOptions.paths;
      paths[`@ftrack-encode/${options.lib}`] = [`${root}/src/index.ts`];
      paths[`@ftrack-encode/${options.lib}/descriptor`] = [`${root}/src/descriptor.ts`];
      return json;
    });
    register(tree, options);
    // The workspace's Prettier settings, so the new lib passes `npm run lint` as it is.
    await formatFiles(tree);
    const what = kind === 'encoder' ? `--backend ${options.name}` : `location type "${options.name}"`;
    return () => {
      logger.info(`\n${root} is ready and registered as ${what}. Next:`);
      logger.info(`  1. npx nx run ${options.lib}:test   — the contract fails with "not implemented" messages: each one names what to build`);
      logger.info(`  2. build ${root}/src/${options.fileName}-${kind}.ts until the contract passes`);
      logger.info(
        `  3. describe it in ${root}/src/descriptor.ts (${kind === 'encoder' ? 'summary, capabilities, config block' : 'summary, location settings schema'}) and ${root}/README.md`,
      );
      logger.info('  4. npm run lint && npm test; see docs/contributing.md');
    };
  };
}

module.exports = { encoderGenerator: adapterGenerator('encoder'), storageGenerator: adapterGenerator('storage') };
