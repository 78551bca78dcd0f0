import { statSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * `encode <movie>`: start the movie's probe now, before the CLI has parsed its options (see
 * encodeInputGuess). A wrong guess costs an unused ffprobe: the probe takes a run over only when
 * its argv is the very same (same binary from the config, same file).
 */
export async function probeSourceAhead(argv: readonly string[]): Promise<void> {
  const input = encodeInputGuess(argv);
  if (input === undefined || !statSync(input, { throwIfNoEntry: false })?.isFile()) return;
  const { probeFileAhead } = await import('@ftrack-encode/encoder-native/ahead');
  await probeFileAhead(resolve(input)).catch(() => undefined); // the probe itself reports any failure
}

/**
 * The input of `encode` on the native backend, guessed from the raw argv: the first argument after
 * the command that is neither an option nor the value after one. Undefined when unsure.
 */
export function encodeInputGuess(argv: readonly string[]): string | undefined {
  if (argv[0] !== 'encode') return undefined;
  const rest = argv.slice(1);
  const backend = rest.findIndex((arg) => arg === '--backend' || arg === '-b' || arg.startsWith('--backend='));
  const chosen = backend < 0 ? 'native' : rest[backend]!.startsWith('--backend=') ? rest[backend]!.slice('--backend='.length) : rest[backend + 1];
  if (chosen !== 'native' && chosen !== 'auto') return undefined;
  return rest.find((arg, i) => !arg.startsWith('-') && (i === 0 || !rest[i - 1]!.startsWith('-')));
}
