import { describe, expect, it } from 'vitest';
import { Lexer, type LexMode } from './tokenizer.js';

function tokens(source: string, modes: LexMode[]): string[] {
  const lexer = new Lexer(source);
  return modes.map((mode) => {
    const t = lexer.next(mode);
    return `${t.type}:${t.text}@${t.position}`;
  });
}

describe('Lexer', () => {
  it('reads paths as words and dots in syntax mode', () => {
    expect(tokens('status.state.short', ['syntax', 'syntax', 'syntax', 'syntax', 'syntax', 'syntax'])).toEqual([
      'word:status@0',
      'punct:.@6',
      'word:state@7',
      'punct:.@12',
      'word:short@13',
      'eof:@18',
    ]);
  });

  it('reads UUIDs, datetimes and dotted names as one bare value in value mode', () => {
    const uuid = '3a372bde-05bc-11e4-8908-20c9d081909b';
    expect(tokens(`${uuid} 2015-06-01T00:00:00 jane.doe+x@y.z`, ['value', 'value', 'value'])).toEqual([
      `bare:${uuid}@0`,
      'bare:2015-06-01T00:00:00@37',
      'bare:jane.doe+x@y.z@57',
    ]);
  });

  it('matches is_not / not_in as whole words and two-character operators first', () => {
    expect(tokens('is_not not_in >= <= != = > <', Array<LexMode>(8).fill('syntax')).map((t) => t.split('@')[0])).toEqual([
      'word:is_not',
      'word:not_in',
      'op:>=',
      'op:<=',
      'op:!=',
      'op:=',
      'op:>',
      'op:<',
    ]);
  });

  it('ends a string at its closing quote even when a keyword is glued to it', () => {
    const lexer = new Lexer(String.raw`"a\"b"and 'c\'d'or`);
    const first = lexer.next('value');
    expect([first.text, first.raw]).toEqual(['a"b', String.raw`a\"b`]);
    expect(lexer.next().text).toBe('and');
    expect(lexer.next('value').text).toBe("c'd");
    expect(lexer.next().text).toBe('or');
  });

  it('peeks without consuming', () => {
    const lexer = new Lexer('  name');
    expect(lexer.peek().position).toBe(2);
    expect(lexer.next().text).toBe('name');
    expect(lexer.peek().type).toBe('eof');
  });
});
