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
  const elements = values.map((v) => {
    if (v === null) return 'NULL';
    if (!Number.isSafeInteger(v)) throw new TypeError(`not a whole number: ${String(v)}`);
    return String(v);
  });
  return `{${elements.join(',')}}`;
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
