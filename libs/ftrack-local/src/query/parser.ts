// Recursive-descent parser for the ftrack query language (grammar: protocol §5.2).
import type { CompareOp, Condition, Literal, Path, PathStep, Projection, QueryAst, SortKey } from './ast.js';
import { QuerySyntaxError } from './errors.js';
import { Lexer, type LexMode, type Token } from './tokenizer.js';

const WORD_OPERATORS: Readonly<Record<string, CompareOp>> = {
  is: 'eq',
  is_not: 'ne',
  after: 'gt',
  before: 'lt',
  greater_than: 'gt',
  less_than: 'lt',
  like: 'like',
  not_like: 'not_like',
};

const SYMBOL_OPERATORS: Readonly<Record<string, CompareOp>> = {
  '=': 'eq',
  '!=': 'ne',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
};

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parses one query expression; throws QuerySyntaxError naming the position. */
export function parseQuery(expression: string): QueryAst {
  const parser = new Parser(expression);
  const ast = parser.query();
  parser.expectEnd();
  return ast;
}

/** Parentheses, `not`, `has`/`any` and sub-queries nest at most this deep (recursion stays bounded). */
export const MAX_NESTING = 64;

class Parser {
  private readonly lexer: Lexer;
  private depth = 0;

  constructor(private readonly source: string) {
    this.lexer = new Lexer(source);
  }

  query(): QueryAst {
    let select: Projection[] | null = null;
    if (this.isKeyword(this.peek(), 'select')) {
      this.next();
      select = [this.projection()];
      while (this.acceptPunct(',')) select.push(this.projection());
      this.expectKeyword('from');
    }
    const from = this.expectIdent('an entity type name');
    const ast: QueryAst = { select, from, where: null, orderBy: [], offset: null, limit: null, groupBy: [] };
    if (this.acceptKeyword('where')) ast.where = this.condition();
    this.tails(ast);
    return ast;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.type !== 'eof') {
      this.fail('Expected "and", "or", "order by", "offset", "limit", "group by" or end of expression', token);
    }
  }

  /** `order by`, `offset`, `limit`, `group by` in any order; a repeated clause replaces the earlier one. */
  private tails(ast: QueryAst): void {
    for (;;) {
      const token = this.peek();
      if (this.isKeyword(token, 'order')) {
        this.next();
        this.expectKeyword('by');
        ast.orderBy = [this.sortKey()];
        while (this.acceptPunct(',')) ast.orderBy.push(this.sortKey());
      } else if (this.isKeyword(token, 'group')) {
        this.next();
        this.expectKeyword('by');
        ast.groupBy = [this.path()];
        while (this.acceptPunct(',')) ast.groupBy.push(this.path());
      } else if (this.isKeyword(token, 'offset') || this.isKeyword(token, 'limit')) {
        this.next();
        const number = this.next();
        if (number.type !== 'number') this.fail(`Expected a number after "${token.text}"`, number);
        ast[token.text.toLowerCase() === 'offset' ? 'offset' : 'limit'] = Number(number.text);
      } else {
        return;
      }
    }
  }

  private sortKey(): SortKey {
    const path = this.path();
    if (this.acceptKeyword('descending')) return { path, direction: 'descending' };
    this.acceptKeyword('ascending');
    return { path, direction: 'ascending' };
  }

  private projection(): Projection {
    const start = this.peek();
    const name = this.expectIdent('an attribute name');
    if (this.acceptPunct('(')) {
      const path = this.path();
      this.expectPunct(')');
      return { kind: 'aggregate', fn: name.toLowerCase(), path };
    }
    return { kind: 'path', path: this.restOfPath(name, start.position) };
  }

  private path(): Path {
    const start = this.peek();
    return this.restOfPath(this.expectIdent('an attribute name'), start.position);
  }

  private restOfPath(first: string, position: number): Path {
    const steps: PathStep[] = [this.castOf(first)];
    while (this.acceptPunct('.')) steps.push(this.castOf(this.expectIdent('an attribute name')));
    return { steps, position };
  }

  private castOf(name: string): PathStep {
    if (!this.acceptPunct('[')) return { name };
    const cast = this.expectIdent('an entity type name');
    this.expectPunct(']');
    return { name, cast };
  }

  private condition(): Condition {
    const operands = [this.andExpr()];
    while (this.acceptKeyword('or')) operands.push(this.andExpr());
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  private andExpr(): Condition {
    const operands = [this.notExpr()];
    while (this.acceptKeyword('and')) operands.push(this.notExpr());
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  private notExpr(): Condition {
    const token = this.peek();
    if (this.acceptKeyword('not')) return this.nested(token, () => ({ kind: 'not', operand: this.notExpr() }));
    return this.atom();
  }

  /** Runs one level deeper; a query nested beyond MAX_NESTING is a syntax error, not a stack overflow. */
  private nested<T>(token: Token, parse: () => T): T {
    if (this.depth >= MAX_NESTING) {
      throw new QuerySyntaxError(
        `Query is nested too deeply (more than ${MAX_NESTING} levels of parentheses, not, has/any or sub-queries) at position ${token.position}`,
        token.position,
        token.text,
      );
    }
    this.depth += 1;
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  private atom(): Condition {
    const open = this.peek();
    if (this.acceptPunct('(')) {
      return this.nested(open, () => {
        const inner = this.condition();
        this.expectPunct(')');
        return inner;
      });
    }
    const path = this.path();
    const token = this.peek();
    const word = token.type === 'word' ? token.text.toLowerCase() : undefined;

    if (word === 'has' || word === 'any') {
      this.next();
      this.expectPunct('(');
      const condition = this.isPunct(this.peek(), ')') ? null : this.nested(token, () => this.condition());
      this.expectPunct(')');
      return { kind: word, path, condition };
    }
    if (word === 'in' || word === 'not_in') {
      this.next();
      return this.membership(path, word === 'not_in');
    }
    const op = word !== undefined ? WORD_OPERATORS[word] : token.type === 'op' ? SYMBOL_OPERATORS[token.text] : undefined;
    if (op === undefined) {
      this.fail('Expected an operator (is, is_not, =, !=, >, <, like, in, has, any, ...)', token);
    }
    this.next();
    return { kind: 'compare', path, op, operator: token.text.toLowerCase(), value: this.value() };
  }

  private membership(path: Path, negated: boolean): Condition {
    this.expectPunct('(');
    if (this.isKeyword(this.peek(), 'select')) {
      const query = this.nested(this.peek(), () => this.query());
      this.expectPunct(')');
      return { kind: 'in_query', path, negated, query };
    }
    const values: Literal[] = [];
    if (!this.isPunct(this.peek('value'), ')')) {
      values.push(this.value());
      while (this.acceptPunct(',', 'value')) values.push(this.value());
    }
    this.expectPunct(')', 'value');
    return { kind: 'in', path, negated, values };
  }

  private value(): Literal {
    const token = this.next('value');
    if (token.type === 'string') return { kind: 'string', value: token.text, raw: token.raw };
    if (token.type !== 'bare') this.fail('Expected a value', token);
    const lower = token.text.toLowerCase();
    if (lower === 'none' || lower === 'null') return { kind: 'null' };
    if (lower === 'true' || lower === 'false') return { kind: 'boolean', value: lower === 'true' };
    if (NUMERIC.test(token.text)) return { kind: 'number', value: Number(token.text), text: token.text };
    return { kind: 'bare', value: token.text };
  }

  // --- token helpers -------------------------------------------------------------------

  private peek(mode: LexMode = 'syntax'): Token {
    return this.lexer.peek(mode);
  }

  private next(mode: LexMode = 'syntax'): Token {
    return this.lexer.next(mode);
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.type === 'word' && token.text.toLowerCase() === keyword;
  }

  private isPunct(token: Token, punct: string): boolean {
    return token.type === 'punct' && token.text === punct;
  }

  private acceptKeyword(keyword: string): boolean {
    if (!this.isKeyword(this.peek(), keyword)) return false;
    this.next();
    return true;
  }

  private acceptPunct(punct: string, mode: LexMode = 'syntax'): boolean {
    if (!this.isPunct(this.peek(mode), punct)) return false;
    this.next(mode);
    return true;
  }

  private expectKeyword(keyword: string): void {
    if (!this.acceptKeyword(keyword)) this.fail(`Expected "${keyword}"`, this.peek());
  }

  private expectPunct(punct: string, mode: LexMode = 'syntax'): void {
    if (!this.acceptPunct(punct, mode)) this.fail(`Expected "${punct}"`, this.peek(mode));
  }

  private expectIdent(what: string): string {
    const token = this.peek();
    if (token.type !== 'word') this.fail(`Expected ${what}`, token);
    this.next();
    return token.text;
  }

  private fail(expected: string, token: Token): never {
    const near = token.type === 'eof' ? 'end of expression' : `"${this.source.slice(token.position, token.end)}"`;
    throw new QuerySyntaxError(`${expected} at position ${token.position} near ${near}`, token.position, this.source.slice(token.position, token.end));
  }
}
