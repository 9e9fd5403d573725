import { expect, it } from 'vitest';
import { findNulCharacter } from './text-input';

it.each<[string, unknown, string | null]>([
  ['a clean value', { username: 'admin', tags: ['数学', '👩‍🏫'] }, null],
  ['a string', { username: 'admin\u0000' }, 'input.username'],
  [
    'a list element',
    { decisions: [{ reason: 'ok' }, { reason: 'a\u0000' }] },
    'input.decisions.1.reason',
  ],
  ['a key', { ['a\u0000']: 1 }, 'input.a\u0000'],
  ['a top-level string', '\u0000', 'input'],
  ['numbers, booleans and null', { a: 1, b: true, c: null }, null],
  // Found by fuzzing: jsonb (the audit log) refuses a surrogate without its pair.
  ['a lone high surrogate', { reason: '\ud800' }, 'input.reason'],
  ['a lone low surrogate', { reason: 'x\udc00y' }, 'input.reason'],
  ['a paired surrogate (an emoji) is a character', { reason: '\ud83d\ude00' }, null],
])('%s', (_name, value, path) => {
  expect(findNulCharacter(value, 'input')?.path ?? null).toBe(path);
});

it('walks deep values without recursion', () => {
  let deep: unknown = 'x\u0000';
  for (let i = 0; i < 10_000; i++) deep = [deep];
  expect(findNulCharacter(deep, 'v')?.path).toBe(`v${'.0'.repeat(10_000)}`);
});
