import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../generated/database';

/** Column types the bulk insert knows how to ship as one array parameter each. */
export type ColumnType =
  'int4' | 'int8' | 'text' | 'bool' | 'date' | 'timestamptz' | 'numeric' | 'jsonb' | 'text[]';

/**
 * Rows per statement. One statement per table keeps the round trips few; the cap keeps a single
 * parameter (a PostgreSQL array literal built in Node) at a few megabytes at most.
 */
const chunkSize = 50_000;

/** text[] values travel joined by the ASCII unit separator, which no name or subject contains. */
const unitSeparator = '\u001f';

/**
 * Inserts many rows with one `insert ... select from unnest($1::int4[], $2::text[], ...)` per
 * chunk: one parameter per column instead of one per value, so it works the same on PGlite and
 * PostgreSQL and is as fast as COPY for our sizes without a COPY stream (which PGlite lacks
 * through Kysely).
 *
 * Arrays of arrays (teachers.subjects) cannot go through unnest, which flattens them; they are
 * joined into one string per row and split back with string_to_array. jsonb goes as text and is
 * cast, because pg would otherwise turn a JS object into a PostgreSQL array literal.
 *
 * Returns the generated ids in row order when `returning` is set: PostgreSQL inserts the rows of
 * `select ... from unnest(...)` in array order and RETURNING reports them in the same order.
 */
export async function insertRows<Row extends Record<string, unknown>>(
  db: Kysely<DB>,
  table: keyof DB & string,
  columns: { readonly [K in keyof Row]: ColumnType },
  rows: readonly Row[],
  options: { returning?: 'id' } = {},
): Promise<number[]> {
  const names = Object.keys(columns) as (keyof Row & string)[];
  const ids: number[] = [];
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    const parameters: RawBuilder<unknown>[] = [];
    const expressions: RawBuilder<unknown>[] = [];
    for (const name of names) {
      const type = columns[name];
      const values = chunk.map((row) => encode(row[name], type));
      parameters.push(sql`${values}::${sql.raw(arrayTypeOf(type))}`);
      expressions.push(decodeExpression(name, type));
    }
    const query = sql<{ id: number }>`insert into ${sql.table(table)} (${sql.join(
      names.map((name) => sql.ref(name)),
    )}) select ${sql.join(expressions)} from unnest(${sql.join(parameters)}) as u (${sql.join(
      names.map((name) => sql.ref(name)),
    )})${options.returning ? sql` returning id` : sql``}`;
    const result = await query.execute(db);
    if (options.returning) {
      if (result.rows.length !== chunk.length) {
        throw new Error(`${table}: inserted ${result.rows.length} of ${chunk.length} rows`);
      }
      for (const row of result.rows) ids.push(Number(row.id));
    }
  }
  return ids;
}

function arrayTypeOf(type: ColumnType): string {
  if (type === 'text[]' || type === 'jsonb') return 'text[]';
  return `${type}[]`;
}

function encode(value: unknown, type: ColumnType): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'text[]') return (value as readonly string[]).join(unitSeparator);
  if (type === 'jsonb') return typeof value === 'string' ? value : JSON.stringify(value);
  return value;
}

function decodeExpression(name: string, type: ColumnType): RawBuilder<unknown> {
  const column = sql.ref(`u.${name}`);
  if (type === 'text[]') return sql`coalesce(string_to_array(${column}, chr(31)), '{}')`;
  if (type === 'jsonb') return sql`${column}::jsonb`;
  return sql`${column}`;
}
