import { CompiledQuery, sql, type Compilable, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../generated/database';
import { prepareOnEveryConnection } from '../prepared-statements';
import { intArray, intParameter } from './array-parameters';

/** Where a per-call value goes in a statement: write `${p.name}` in the builder's SQL. */
export type Placeholders<Names extends string> = { readonly [K in Names]: RawBuilder<unknown> };

interface Template {
  sql: string;
  /** The compiled parameters, with each placeholder's value still to be put in. */
  parameters: readonly unknown[];
  /** Index into `parameters` of each placeholder, by name. */
  slots: ReadonlyArray<readonly [index: number, name: string]>;
}

/**
 * A hot read built and compiled by Kysely once per shape, then run with each call's values.
 *
 * Building a query (an immutable node per method call) and compiling it (a visitor over the
 * tree) cost about as much CPU as sending the statement and parsing its rows: on a one-row
 * read by id that is a fifth of the data layer's time, on every request (pnpm bench W1, W4).
 * The SQL of such a read depends only on its shape — which caller's visibility applies — not on
 * the ids it is given, once the ids travel as one array parameter (`= any($1::int4[])`).
 *
 * Rules for `build`: a per-call value reaches the SQL only through a placeholder, never decides
 * the SQL's form (no `if (ids.length)` inside); everything else it reads must be part of
 * `shape`, whose key names the template. `shape` values (a caller's region paths, say) are
 * compiled into the template's parameters, so the key must hold all of them. Templates are kept
 * per key, at most `maxShapes` (then all are dropped and rebuilt as asked: one per active
 * visibility, so a few hundred at most in practice).
 *
 * Statements pass through the request's plugins (the statement tally and its timing) as any
 * built query does.
 */
export function compiledOnce<Names extends string, Shape, Row>(options: {
  placeholders: readonly Names[];
  /** Omitted for a statement with one shape. */
  shapeKey?: (shape: Shape) => string;
  build: (db: Kysely<DB>, p: Placeholders<Names>, shape: Shape) => Compilable<Row>;
  maxShapes?: number;
}): (db: Kysely<DB>, shape: Shape, values: Record<Names, unknown>) => Promise<Row[]> {
  const templates = new Map<string, Template>();
  const maxShapes = options.maxShapes ?? 256;

  function templateFor(db: Kysely<DB>, shape: Shape, key: string): Template {
    const markers = new Map<object, Names>();
    const placeholders = {} as Record<Names, RawBuilder<unknown>>;
    for (const name of options.placeholders) {
      const marker = { placeholder: name };
      markers.set(marker, name);
      placeholders[name] = sql`${marker}`;
    }
    const compiled = options.build(db, placeholders, shape).compile();
    const slots: Array<readonly [number, Names]> = [];
    compiled.parameters.forEach((parameter, index) => {
      const name = typeof parameter === 'object' ? markers.get(parameter as object) : undefined;
      if (name !== undefined) slots.push([index, name]);
    });
    // A shape may leave a placeholder out (no cursor given); none may use one twice, since only
    // the first use would get the call's value.
    if (new Set(slots.map(([, name]) => name)).size !== slots.length) {
      throw new Error(`compiledOnce: a placeholder appears twice in the SQL (${key})`);
    }
    // Its text is fixed from now on: PostgreSQL may keep its plan per connection.
    prepareOnEveryConnection(compiled.sql);
    const template = { sql: compiled.sql, parameters: compiled.parameters, slots };
    if (templates.size >= maxShapes) templates.clear();
    templates.set(key, template);
    return template;
  }

  return async (db, shape, values) => {
    const key = options.shapeKey?.(shape) ?? '';
    const template = templates.get(key) ?? templateFor(db, shape, key);
    const parameters = template.parameters.slice();
    for (const [index, name] of template.slots) parameters[index] = values[name as Names];
    const query = CompiledQuery.raw(template.sql, parameters);
    // executeQuery skips the plugins' transformQuery, which a built query passes through; the
    // request's tally times a statement from there (sqlMs in the request log).
    db.getExecutor().transformQuery(query.query, query.queryId);
    const result = await db.executeQuery<Row>(query);
    return result.rows;
  };
}

/**
 * The common case: a read by ids. `build` gets the right-hand side to compare the key column
 * with (`column = <rhs>`), one of three by the number of ids, so each read has three texts:
 * - one id: `$n::int4`;
 * - a few (up to `fewIds`): `any((select $n::int4[])::int4[])`;
 * - more: `any($n::int4[])`.
 *
 * A prepared statement runs on custom plans (made for its values) for its first five calls,
 * then on its generic plan only if that looks no costlier. For `= any($1::int4[])` the generic
 * plan assumes ten elements, the custom one counts them, so PostgreSQL never switches and plans
 * every call: Bind (where the planning happens) took 0.33–0.53 ms against 0.04–0.2 for the
 * execution of W1's read (log_min_duration_statement, bench data). With `= $1::int4` the generic
 * plan is the custom one, and so it is when the array comes out of a sub-select: the planner
 * sees an InitPlan's output in both, not the array, and PostgreSQL keeps the generic plan from
 * the sixth call on (an index scan, as the custom one). Above `fewIds` a read (crediting a
 * roster, an import's enrollments) is planned for its ids: a plan costed for ten elements could
 * be the wrong one for ten thousand, and planning is then a small part of the statement.
 */
export function compiledByIds<Shape, Row>(options: {
  shapeKey?: (shape: Shape) => string;
  build: (db: Kysely<DB>, anyId: RawBuilder<number>, shape: Shape) => Compilable<Row>;
}): (db: Kysely<DB>, shape: Shape, ids: ReadonlyArray<number>) => Promise<Row[]> {
  const one = compiledOnce({
    placeholders: ['id'],
    shapeKey: options.shapeKey,
    build: (db, p, shape: Shape) => options.build(db, sql<number>`${p.id}::int4`, shape),
  });
  const few = compiledOnce({
    placeholders: ['ids'],
    shapeKey: options.shapeKey,
    build: (db, p, shape: Shape) => options.build(db, fewIdsOf(p.ids), shape),
  });
  const many = compiledOnce({
    placeholders: ['ids'],
    shapeKey: options.shapeKey,
    build: (db, p, shape: Shape) => options.build(db, sql<number>`any(${p.ids}::int4[])`, shape),
  });
  return (db, shape, ids) =>
    ids.length === 1
      ? one(db, shape, { id: intParameter(ids[0]!) })
      : (ids.length <= fewIds ? few : many)(db, shape, { ids: intArray(ids) });
}

/** The most ids a read by ids runs on its kept (generic) plan; see compiledByIds. */
export const fewIds = 100;

/**
 * `any(…)` over an int4[] placeholder that PostgreSQL plans once: the array reaches the plan as
 * an InitPlan's output, so no custom plan can look cheaper than the generic one.
 */
const fewIdsOf = (placeholder: RawBuilder<unknown>) =>
  sql<number>`any((select ${placeholder}::int4[])::int4[])`;

/**
 * Runs a query built per call as a prepared statement (decision 0021), for a statement whose
 * texts are few: one per combination of the options present and their lists' lengths (a list
 * with filters). Every distinct text is held by each connection that ran it, up to the
 * registry's bound.
 */
export async function executePrepared<Row>(db: Kysely<DB>, query: Compilable<Row>): Promise<Row[]> {
  const compiled = query.compile();
  prepareOnEveryConnection(compiled.sql);
  return (await db.executeQuery(compiled)).rows;
}

/** The shape key of a caller's visibility: every value in it decides the SQL's filter. */
export const visibilityKey = (visibility: unknown) => JSON.stringify(visibility);
