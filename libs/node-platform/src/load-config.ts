import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EncodeError, resolveConfig, type Config, type ConfigInput } from '@ftrack-encode/core';

export const CONFIG_FILE_NAME = 'ftrack-encode.config.json';

/** Read the config file (explicit path, FTRACK_ENCODE_CONFIG, or ./ftrack-encode.config.json if present). */
export async function loadConfig(options: { path?: string; env?: NodeJS.ProcessEnv; flags?: ConfigInput; cwd?: string } = {}): Promise<Config> {
  const env = options.env ?? process.env;
  const explicit = options.path ?? env['FTRACK_ENCODE_CONFIG'];
  const path = resolve(options.cwd ?? process.cwd(), explicit ?? CONFIG_FILE_NAME);
  let file: unknown;
  try {
    file = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) file = undefined;
    else {
      throw new EncodeError('E_CONFIG_INVALID', `Cannot read config file ${path}: ${code ?? (error as Error).message}`, {
        hint: 'Check the --config path; the file must be JSON.',
        cause: error,
      });
    }
  }
  return resolveConfig({ file, fileName: path, env, ...(options.flags ? { flags: options.flags } : {}) });
}
