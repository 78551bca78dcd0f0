import { describe, expect, it } from 'vitest';
import { compileLike, likeMatches } from './like.js';

const like = (pattern: string, text: string, exact = false) => likeMatches(compileLike(pattern, exact), text);

describe('LIKE matching', () => {
  it('matches %, _ and escapes like SQL', () => {
    expect(like('sh%', 'sh010')).toBe(true);
    expect(like('%010', 'sh010')).toBe(true);
    expect(like('s_0%', 'sh010')).toBe(true);
    expect(like('s_0', 'sh010')).toBe(false);
    expect(like('%', '')).toBe(true);
    expect(like('_', '')).toBe(false);
    expect(like('100\\%', '100%')).toBe(true);
    expect(like('100\\%', '1000')).toBe(false);
    expect(like('a\\_b', 'a_b')).toBe(true);
    expect(like('a\\_b', 'axb')).toBe(false);
    expect(like('%a%b%c%', 'xxaxxbxxcxx')).toBe(true);
    expect(like('%a%b%c%', 'xxaxxcxxbxx')).toBe(false);
    expect(like('SH%', 'sh010')).toBe(true);
    expect(like('SH%', 'sh010', true)).toBe(false);
    expect(like('_é_', 'aéb')).toBe(true); // one character, not one UTF-16 unit
    expect(like('a%%%%b', 'a b')).toBe(true);
  });

  it('answers adversarial patterns quickly (no exponential backtracking)', () => {
    const text = 'a'.repeat(20_000);
    const patterns = [`${'%a'.repeat(200)}b`, `${'%'.repeat(5_000)}b`, `${'a%'.repeat(300)}b`, `%${'_'.repeat(500)}b`];
    const started = performance.now();
    for (const pattern of patterns) expect(like(pattern, text)).toBe(false);
    // A backtracking regex takes minutes here; the two-pointer match stays well under a second.
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
