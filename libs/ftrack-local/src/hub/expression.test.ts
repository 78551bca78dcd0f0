import { describe, expect, it } from 'vitest';
import { matches, parseExpression } from './expression.js';

const event = { topic: 'ftrack.action.launch', data: { actionIdentifier: 'encode', n: 5 }, source: { user: { username: 'ci+bot@x.io' } } };

describe('hub expressions', () => {
  it.each([
    ['topic=ftrack.action.launch', true],
    ['topic="ftrack.action.launch"', true],
    ["topic='ftrack.action.*'", true],
    ['topic=action*', true],
    ['topic=ftrack.update', false],
    ['topic!=ftrack.update', true],
    ['topic=ftrack.action.launch and data.actionIdentifier=encode', true],
    ['topic=ftrack.action.launch and data.actionIdentifier=other', false],
    ['topic=x or (data.n>4 and not data.n>=6)', true],
    ['source.user.username=ci+bot@x.io', true],
    ['data.missing=anything', false],
    ['data.n<5', false],
    ['', true],
  ])('%s -> %s', (expression, expected) => {
    expect(matches(parseExpression(expression), event)).toBe(expected);
  });

  it('rejects malformed expressions', () => {
    expect(() => parseExpression('topic=')).toThrow();
    expect(() => parseExpression('(topic=a')).toThrow();
    expect(() => parseExpression('topic a')).toThrow();
  });
});
