import { describe, expect, it } from 'vitest';
import { encodeInputGuess } from './source-ahead.js';

describe('encodeInputGuess (the movie whose probe starts while the CLI loads)', () => {
  it('finds the input before or after the options', () => {
    expect(encodeInputGuess(['encode', 'clip.mov', '--profile', 'ftrack-review', '--out', 'out'])).toBe('clip.mov');
    expect(encodeInputGuess(['encode', '--profile', 'ftrack-review', 'clip.mov', '--quiet'])).toBe('clip.mov');
    expect(encodeInputGuess(['encode', '-p', 'x', '-o', 'out', 'clip.mov'])).toBe('clip.mov');
  });

  it('guesses nothing for other commands, other backends, or when every candidate is an option value', () => {
    expect(encodeInputGuess(['publish', 'clip.mov'])).toBeUndefined();
    expect(encodeInputGuess(['encode', 'clip.mov', '--backend', 'wasm'])).toBeUndefined();
    expect(encodeInputGuess(['encode', 'clip.mov', '--backend=farm'])).toBeUndefined();
    expect(encodeInputGuess(['encode', 'clip.mov', '-b', 'native'])).toBe('clip.mov');
    // After a flag the next word may be its value: skipped (a missed guess only loses the head start).
    expect(encodeInputGuess(['encode', '--quiet', 'clip.mov'])).toBeUndefined();
  });
});
