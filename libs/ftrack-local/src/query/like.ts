// SQL LIKE without regular expressions: `%` any run, `_` one character, a
// backslash escapes the next one. Runs of `%` collapse to one, then a
// two-pointer match that only ever backs up to the last `%` takes O(n·m) time
// at worst — never the exponential backtracking a regex like /^(.*a)*$/ can hit.

type Piece = { kind: 'char'; char: string } | { kind: 'one' } | { kind: 'any' };

export interface LikePattern {
  readonly pieces: readonly Piece[];
  readonly exact: boolean;
}

export function compileLike(raw: string, exact: boolean): LikePattern {
  const chars = Array.from(exact ? raw : raw.toLowerCase());
  const pieces: Piece[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\\' && i + 1 < chars.length) pieces.push({ kind: 'char', char: chars[++i]! });
    else if (ch === '%') {
      if (pieces.at(-1)?.kind !== 'any') pieces.push({ kind: 'any' });
    } else if (ch === '_') pieces.push({ kind: 'one' });
    else pieces.push({ kind: 'char', char: ch });
  }
  return { pieces, exact };
}

export function likeMatches(pattern: LikePattern, input: string): boolean {
  const text = Array.from(pattern.exact ? input : input.toLowerCase());
  const { pieces } = pattern;
  let t = 0;
  let p = 0;
  let star = -1; // index of the last `%` seen
  let resume = 0; // text index that `%` is currently assumed to end at
  while (t < text.length) {
    const piece = pieces[p];
    if (piece !== undefined && (piece.kind === 'one' || (piece.kind === 'char' && piece.char === text[t]))) {
      t += 1;
      p += 1;
    } else if (piece?.kind === 'any') {
      star = p;
      resume = t;
      p += 1;
    } else if (star >= 0) {
      // Let the last `%` swallow one more character and retry from there.
      resume += 1;
      t = resume;
      p = star + 1;
    } else {
      return false;
    }
  }
  while (pieces[p]?.kind === 'any') p += 1;
  return p === pieces.length;
}
