/**
 * Whether an error says the database cannot be reached right now — refused, cut, shutting
 * down, starting up — rather than that a statement was wrong. The gateway answers such errors
 * as a typed, retryable DATABASE_UNAVAILABLE (HTTP 503) instead of an internal error, and
 * /readyz as not ready. Walks `cause` chains, since drivers and wrappers nest them.
 */
const unavailableSystemCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** SQLSTATEs of a server going away: 57P01 admin shutdown, 57P02 crash, 57P03 starting up. */
const unavailableSqlStates = new Set(['57P01', '57P02', '57P03']);

/** node-postgres says these in words only, without a code. */
const unavailableMessages = [
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /timeout exceeded when trying to connect/,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (typeof current !== 'object') return false;
    const { code, message, cause, errors } = current as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'string') {
      // Class 08: connection exception (the server refused or lost the connection).
      if (unavailableSystemCodes.has(code) || unavailableSqlStates.has(code)) return true;
      if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    }
    if (typeof message === 'string' && unavailableMessages.some((m) => m.test(message))) {
      return true;
    }
    // Node reports a refused connection to every address of a host as an AggregateError.
    if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e))) return true;
    current = cause;
  }
  return false;
}
