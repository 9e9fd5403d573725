import { describe, expect, it } from 'vitest';
import { commandOf } from './pglite-pool';

describe('commandOf', () => {
  it.each([
    ['select 1', 'SELECT'],
    ['  DELETE from t', 'DELETE'],
    ['/* idempotency.purge */\n    delete from t where x in (select 1)', 'DELETE'],
    ['/* a */ /* b */ update t set x = 1', 'UPDATE'],
    ['-- why\ninsert into t values (1)', 'INSERT'],
    ['with old as (select 1) delete from t', 'DELETE'],
    [
      '/* name */ with old as (select 1) merge into t using old on true when matched then do nothing',
      'MERGE',
    ],
    ['/* only a comment */', 'SELECT'],
    ['begin', 'SELECT'],
  ])('%s → %s', (text, command) => {
    expect(commandOf(text)).toBe(command);
  });
});
