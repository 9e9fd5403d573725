import { GraphQLScalarType } from 'graphql';
import { expect, it } from 'vitest';
import { schema } from '../schema';

function scalar(name: string): GraphQLScalarType {
  const type = schema.getType(name);
  if (!(type instanceof GraphQLScalarType)) throw new Error(`${name} is not a scalar`);
  return type;
}

// Found by fuzzing (test/integration/fuzz-mutations.test.ts): an instant past 9999 in UTC reached
// PGlite as '+010000-…' and answered INTERNAL_SERVER_ERROR; year 0 fails PostgreSQL the same way.
it.each([
  '9999-12-31T23:59:59.999-14:00',
  '+010000-01-01T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '2026-03-01Tfoo',
])('DateTime refuses %s as bad input', (value) => {
  expect(() => scalar('DateTime').parseValue(value)).toThrow(/years 0001 to 9999/);
});

it.each(['0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-03-01T09:00:00+08:00'])(
  'DateTime accepts %s',
  (value) => {
    expect(scalar('DateTime').parseValue(value)).toBeInstanceOf(Date);
  },
);

it.each(['0000-01-01', '2026-02-30', '2026-3-1'])('Date refuses %s as bad input', (value) => {
  expect(() => scalar('Date').parseValue(value)).toThrow(/from 0001-01-01 to 9999-12-31/);
});

it.each(['0001-01-01', '9999-12-31', '2024-02-29'])('Date accepts %s', (value) => {
  expect(scalar('Date').parseValue(value)).toBe(value);
});
