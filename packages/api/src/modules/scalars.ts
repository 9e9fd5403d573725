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

/**
 * RFC 3339's date-time: a calendar date, a time to the minute or finer, and the offset, always.
 * `new Date` alone is too lenient for an edge: it reads a time without an offset as the
 * server's local time (so its meaning moved with the process's TZ) and rolls 2026-02-30 over
 * to March 2 and 24:00 to the next day.
 */
const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/i;

function parseDateTime(value: unknown): Date {
  const parts = typeof value === 'string' ? dateTimePattern.exec(value) : null;
  if (parts) {
    const [year, month, day, hour, minute, second] = parts.slice(1, 7).map((p) => Number(p ?? 0));
    const milliseconds = Number((parts[7] ?? '').padEnd(3, '0').slice(0, 3));
    const local = new Date(0);
    local.setUTCFullYear(year!, month! - 1, day!);
    local.setUTCHours(hour!, minute!, second!, milliseconds);
    const offsetMinutes =
      parts[8] === undefined
        ? 0
        : (parts[8] === '-' ? -1 : 1) * (Number(parts[9]) * 60 + Number(parts[10]));
    // The written fields must be the fields read back: no day 30 of February, no hour 24, and
    // an offset of at most 23:59.
    const written =
      local.getUTCFullYear() === year &&
      local.getUTCMonth() === month! - 1 &&
      local.getUTCDate() === day &&
      local.getUTCHours() === hour &&
      local.getUTCMinutes() === minute &&
      local.getUTCSeconds() === second &&
      Number(parts[9] ?? 0) < 24 &&
      Number(parts[10] ?? 0) < 60;
    const instant = new Date(local.getTime() - offsetMinutes * 60_000);
    const utcYear = instant.getUTCFullYear();
    if (written && utcYear >= firstYear && utcYear <= lastYear) return instant;
  }
  throw new GraphQLError(
    'DateTime must be an ISO 8601 timestamp with a time zone, in the years 0001 to 9999 (UTC), e.g. 2026-03-01T09:00:00+08:00',
    { extensions: { code: 'BAD_USER_INPUT' } },
  );
}

builder.scalarType('DateTime', {
  description: 'An instant in time, ISO 8601 with time zone, e.g. 2026-03-01T09:00:00+08:00.',
  serialize: (value) => value.toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
