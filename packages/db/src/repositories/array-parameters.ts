/**
 * Array parameters of bulk statements (`insert … select from unnest($1::int4[], …)`): one
 * parameter per column whatever the number of rows, the same on PostgreSQL and PGlite.
 */

/**
 * An int4[] parameter spelled as its text form. The driver would quote and escape every
 * element of a JavaScript array; for 20,000 numbers per column that is most of the cost of
 * sending them. Only for whole numbers (and nulls), which need no escaping; anything else is
 * a bug of the caller and throws rather than be rounded into another id.
 */
export function intArray(values: ReadonlyArray<number | null>): string {
  return `{${values.map((v) => (v === null ? 'NULL' : intParameter(v))).join(',')}}`;
}

/**
 * A text[] parameter of codes (an attendance status, a source: lower-case words) spelled as its
 * text form, for the same reason as intArray: the driver escapes every element of a JavaScript
 * array one by one, 2–5 ms for the two code columns of a 10,000-row chunk, paid while the
 * statement before it has finished and PostgreSQL waits. Anything that would need quoting in
 * an array literal (or read as NULL) is a bug of the caller and throws.
 */
export function codeArray(values: ReadonlyArray<string>): string {
  for (const value of new Set(values)) {
    if (!/^[a-z][a-z_]*$/.test(value) || value === 'null') {
      throw new TypeError(`not a code: ${JSON.stringify(value)}`);
    }
  }
  return `{${values.join(',')}}`;
}

/** One int4 parameter in its text form, refused as intArray refuses an element. */
export function intParameter(value: number): string {
  if (!Number.isSafeInteger(value)) throw new TypeError(`not a whole number: ${String(value)}`);
  return String(value);
}

/**
 * Rows per bulk statement. The values travel as one array parameter per column whatever the
 * count, so the limit only bounds one statement's memory.
 */
export const bulkChunk = 10_000;

/** `list` in consecutive slices of at most `size`, for one bulk statement each. */
export function chunksOf<T>(list: readonly T[], size = bulkChunk): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < list.length; start += size)
    chunks.push(list.slice(start, start + size));
  return chunks;
}

/** Resolves after pending I/O callbacks have run: a statement just handed to the driver is on the socket. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `run` for each chunk, one statement at a time on the caller's connection as before, but
 * overlaps the JavaScript with PostgreSQL's work: the next chunk's parameters are built while
 * the current statement executes, and each result is read while the next statement executes.
 * For a 20,000-row import that JavaScript (array parameters, result rows) otherwise waited its
 * turn behind every statement. `take` sees the results in chunk order.
 *
 * A statement queued behind one that fails runs into the failed transaction and fails too; the
 * first error is thrown, the second dropped.
 */
export async function eachChunkOverlapped<T, R>(
  chunks: ReadonlyArray<T>,
  run: (chunk: T) => Promise<R>,
  take: (result: R) => void,
): Promise<void> {
  // A statement may fail while this function waits a turn, before anything awaits it: marked
  // as handled at once (awaiting it later still throws its error) so that is no unhandled rejection.
  const started = (chunk: T) => {
    const statement = run(chunk);
    statement.catch(() => {});
    return statement;
  };
  const [first, ...rest] = chunks;
  if (first === undefined) return;
  let pending = started(first);
  for (const chunk of rest) {
    await nextTurn();
    const following = started(chunk);
    const result = await pending;
    await nextTurn();
    take(result);
    pending = following;
  }
  take(await pending);
}
