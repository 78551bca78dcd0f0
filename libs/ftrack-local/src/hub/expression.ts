// The event hub's subscription/target expression language (Python
// ftrack_api.event.expression): `field op value` joined by and/or/not and
// parentheses; op one of = != >= <= > <; a value ending in `*` with `=` is a
// wildcard that matches when the prefix occurs anywhere in the field (the most
// permissive of the Python and JS readings, so nothing is under-delivered).

export type Expression =
  | { kind: 'all' }
  | { kind: 'and' | 'or'; operands: Expression[] }
  | { kind: 'not'; operand: Expression }
  | { kind: 'condition'; field: string; op: string; value: string };

export class ExpressionSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }
}

type Token = { type: 'word' | 'string' | 'op' | 'lparen' | 'rparen'; text: string };

const OPS = ['!=', '>=', '<=', '=', '>', '<'];
const BARE = /[A-Za-z0-9\-_,./*@+:]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c === '(' ? 'lparen' : 'rparen', text: c });
      i += 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j += 1;
        value += text[j];
        j += 1;
      }
      if (j >= text.length) throw new ExpressionSyntaxError(`Unterminated string in "${text}".`);
      tokens.push({ type: 'string', text: value });
      i = j + 1;
    } else {
      const op = OPS.find((o) => text.startsWith(o, i));
      if (op) {
        tokens.push({ type: 'op', text: op });
        i += op.length;
        continue;
      }
      let j = i;
      while (j < text.length && BARE.test(text[j]!)) j += 1;
      if (j === i) throw new ExpressionSyntaxError(`Unexpected character '${c}' in "${text}".`);
      tokens.push({ type: 'word', text: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

export function parseExpression(text: string): Expression {
  const tokens = tokenize(text ?? '');
  if (tokens.length === 0) return { kind: 'all' };
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isKeyword = (word: string) => peek()?.type === 'word' && peek()!.text.toLowerCase() === word;

  const parseOr = (): Expression => {
    const operands = [parseAnd()];
    while (isKeyword('or')) {
      pos += 1;
      operands.push(parseAnd());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  };
  const parseAnd = (): Expression => {
    const operands = [parseNot()];
    while (isKeyword('and')) {
      pos += 1;
      operands.push(parseNot());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  };
  const parseNot = (): Expression => {
    if (isKeyword('not')) {
      pos += 1;
      return { kind: 'not', operand: parseNot() };
    }
    return parseAtom();
  };
  const parseAtom = (): Expression => {
    const token = peek();
    if (!token) throw new ExpressionSyntaxError(`Unexpected end of expression "${text}".`);
    if (token.type === 'lparen') {
      pos += 1;
      const inner = parseOr();
      if (peek()?.type !== 'rparen') throw new ExpressionSyntaxError(`Missing ')' in "${text}".`);
      pos += 1;
      return inner;
    }
    if (token.type !== 'word') throw new ExpressionSyntaxError(`Expected a field in "${text}".`);
    pos += 1;
    const op = peek();
    if (op?.type !== 'op') throw new ExpressionSyntaxError(`Expected an operator after '${token.text}' in "${text}".`);
    pos += 1;
    const value = peek();
    if (!value || (value.type !== 'word' && value.type !== 'string')) {
      throw new ExpressionSyntaxError(`Expected a value after '${token.text}${op.text}' in "${text}".`);
    }
    pos += 1;
    return { kind: 'condition', field: token.text, op: op.text, value: value.text };
  };

  const expression = parseOr();
  if (pos !== tokens.length) throw new ExpressionSyntaxError(`Unexpected '${tokens[pos]!.text}' in "${text}".`);
  return expression;
}

function lookup(subject: unknown, field: string): unknown {
  let current: unknown = subject;
  for (const part of field.split('.')) {
    if (typeof current !== 'object' || current === null || !(part in current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function compare(actual: unknown, op: string, expected: string): boolean {
  if (actual === undefined) return false;
  const text = actual === null ? 'None' : typeof actual === 'object' ? JSON.stringify(actual) : String(actual);
  if (op === '=' || op === '!=') {
    const equal = expected.endsWith('*') ? text.includes(expected.slice(0, -1)) : text === expected;
    return op === '=' ? equal : !equal;
  }
  const a = Number(text);
  const b = Number(expected);
  const [x, y]: [number | string, number | string] = Number.isFinite(a) && Number.isFinite(b) && text !== '' ? [a, b] : [text, expected];
  switch (op) {
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    default:
      return false;
  }
}

export function matches(expression: Expression, subject: unknown): boolean {
  switch (expression.kind) {
    case 'all':
      return true;
    case 'and':
      return expression.operands.every((e) => matches(e, subject));
    case 'or':
      return expression.operands.some((e) => matches(e, subject));
    case 'not':
      return !matches(expression.operand, subject);
    case 'condition':
      return compare(lookup(subject, expression.field), expression.op, expression.value);
  }
}
