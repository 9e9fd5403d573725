import { GraphQLError, Kind } from 'graphql';
import { builder } from '../builder';

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Years PostgreSQL and both drivers agree on. PostgreSQL has no year 0 ('0000-01-01' fails the
 * statement), and past 9999 `toISOString` writes '+010000-…', which PGlite sends as is and
 * PostgreSQL cannot read: `addSession(endsAt: "9999-12-31T23:59:59.999-14:00")` answered
 * INTERNAL_SERVER_ERROR on PGlite (found by fuzzing, issue 7 point 3).
 */
const firstYear = 1;
const lastYear = 9999;

function parseDate(value: unknown): string {
  if (typeof value === 'string' && datePattern.test(value)) {
    const parsed = new Date(`${value}T00:00:00Z`);
    if (
      !Number.isNaN(parsed.getTime()) &&
      parsed.toISOString().startsWith(value) &&
      parsed.getUTCFullYear() >= firstYear
    ) {
      return value;
    }
  }
  throw new GraphQLError(
    'Date must be a calendar date written YYYY-MM-DD, from 0001-01-01 to 9999-12-31',
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

builder.scalarType('Date', {
  description: 'A calendar date without time zone, written YYYY-MM-DD.',
  serialize: (value) => value,
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseDateTime(value: unknown): Date {
  if (typeof value === 'string') {
    const parsed = new Date(value);
    const year = parsed.getUTCFullYear();
    if (
      !Number.isNaN(parsed.getTime()) &&
      /^\d{4}-\d{2}-\d{2}T/.test(value) &&
      year >= firstYear &&
      year <= lastYear
    ) {
      return parsed;
    }
  }
  throw new GraphQLError(
    'DateTime must be an ISO 8601 timestamp with a time zone, in the years 0001 to 9999 (UTC)',
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

builder.scalarType('DateTime', {
  description: 'An instant in time, ISO 8601 with time zone, e.g. 2026-03-01T09:00:00+08:00.',
  serialize: (value) => value.toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
