// Tokenizer for the query language. It has two modes because one character run means
// different things in different places: in `syntax` mode `status.state.short` is a path
// (words and dots), in `value` mode the parser asks for a literal and
// `3a372bde-05bc-11e4-8908-20c9d081909b` or `2015-06-01T00:00:00` is one bare value.
// The parser drives the mode; no whitespace is needed around operators, parentheses,
// commas or after a closing quote (`"x"and`).
import { QuerySyntaxError } from './errors.js';

export type TokenType = 'word' | 'number' | 'string' | 'bare' | 'punct' | 'op' | 'eof';

export interface Token {
  type: TokenType;
  /** Words, punctuation and operators as written; strings unescaped (`\x` -> `x`). */
  text: string;
  /** For strings: the text between the quotes as written (escapes kept, for `like`). */
  raw: string;
  position: number;
  end: number;
}

export type LexMode = 'syntax' | 'value';

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /\d+/y;
const BARE = /[A-Za-z0-9_\-.:@+]+/y;
const WHITESPACE = /\s*/y;
const PUNCT = new Set(['(', ')', ',', '.', '[', ']']);
const OPERATORS = ['>=', '<=', '!=', '=', '>', '<'];

export class Lexer {
  private pos = 0;

  constructor(readonly source: string) {}

  peek(mode: LexMode = 'syntax'): Token {
    return scan(this.source, this.pos, mode);
  }

  next(mode: LexMode = 'syntax'): Token {
    const token = scan(this.source, this.pos, mode);
    this.pos = token.end;
    return token;
  }
}

function match(re: RegExp, source: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(source)?.[0];
}

function scan(source: string, from: number, mode: LexMode): Token {
  const position = from + (match(WHITESPACE, source, from)?.length ?? 0);
  const make = (type: TokenType, text: string, end: number, raw = text): Token => ({ type, text, raw, position, end });
  if (position >= source.length) return make('eof', '', position);

  const ch = source.charAt(position);
  if (ch === '"' || ch === "'") return scanString(source, position, ch);
  if (PUNCT.has(ch) && !(mode === 'value' && ch === '.')) return make('punct', ch, position + 1);
  for (const op of OPERATORS) {
    if (source.startsWith(op, position)) return make('op', op, position + op.length);
  }
  if (mode === 'value') {
    const bare = match(BARE, source, position);
    if (bare !== undefined) return make('bare', bare, position + bare.length);
  } else {
    const word = match(WORD, source, position);
    if (word !== undefined) return make('word', word, position + word.length);
    const number = match(NUMBER, source, position);
    if (number !== undefined) return make('number', number, position + number.length);
  }
  throw new QuerySyntaxError(`Unexpected character "${ch}" at position ${position}`, position, ch);
}

function scanString(source: string, start: number, quote: string): Token {
  let text = '';
  for (let i = start + 1; i < source.length; i++) {
    const ch = source.charAt(i);
    if (ch === '\\' && i + 1 < source.length) {
      text += source.charAt(i + 1);
      i++;
    } else if (ch === quote) {
      return { type: 'string', text, raw: source.slice(start + 1, i), position: start, end: i + 1 };
    } else {
      text += ch;
    }
  }
  throw new QuerySyntaxError(
    `Unterminated string starting at position ${start} near ${source.slice(start, start + 20)}`,
    start,
    source.slice(start, start + 20),
  );
}
