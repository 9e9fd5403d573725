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
  // No offset: it would mean the server's local time, whatever that is.
  '2026-03-01T09:00:00',
  '2026-03-01T09:00',
  // Fields that do not exist, which Date would roll over into the next day or month.
  '2026-02-30T09:00:00Z',
  '2025-02-29T09:00:00Z',
  '2026-03-01T24:00:00Z',
  '2026-03-01T09:60:00Z',
  '2026-03-01T09:00:60Z',
  '2026-03-01T09:00:00+08:60',
  '2026-03-01T09:00:00+24:00',
  // Not RFC 3339: a space, an offset without minutes or colon, a date alone, a second date.
  '2026-03-01 09:00:00Z',
  '2026-03-01T09:00:00+08',
  '2026-03-01T09:00:00+0800',
  '2026-03-01',
  '2026-03-01T09:00:00Z2026',
  12,
  null,
])('DateTime refuses %s as bad input', (value) => {
  expect(() => scalar('DateTime').parseValue(value)).toThrow(/years 0001 to 9999/);
});

it.each([
  ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
  ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ['2026-03-01T09:00:00+08:00', '2026-03-01T01:00:00.000Z'],
  ['2026-03-01T09:00+08:00', '2026-03-01T01:00:00.000Z'],
  ['2026-03-01t09:00:00z', '2026-03-01T09:00:00.000Z'],
  ['2024-02-29T23:30:00-05:30', '2024-03-01T05:00:00.000Z'],
  ['2026-03-01T09:00:00.123456789Z', '2026-03-01T09:00:00.123Z'],
  ['2026-03-01T09:00:00.5+00:00', '2026-03-01T09:00:00.500Z'],
  ['2026-03-01T09:00:00-23:59', '2026-03-02T08:59:00.000Z'],
  // Offsets that carry an instant across the years' bounds are judged in UTC.
  ['0001-01-01T08:00:00+08:00', '0001-01-01T00:00:00.000Z'],
])('DateTime reads %s as %s', (value, instant) => {
  expect((scalar('DateTime').parseValue(value) as Date).toISOString()).toBe(instant);
});

it.each(['0001-01-01T07:59:59+08:00', '9999-12-31T20:00:00-04:00'])(
  'DateTime refuses %s: outside the years 0001 to 9999 in UTC',
  (value) => {
    expect(() => scalar('DateTime').parseValue(value)).toThrow(/years 0001 to 9999/);
  },
);

it.each(['0000-01-01', '2026-02-30', '2026-3-1'])('Date refuses %s as bad input', (value) => {
  expect(() => scalar('Date').parseValue(value)).toThrow(/from 0001-01-01 to 9999-12-31/);
});

it.each(['0001-01-01', '9999-12-31', '2024-02-29'])('Date accepts %s', (value) => {
  expect(scalar('Date').parseValue(value)).toBe(value);
});
