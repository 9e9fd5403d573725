import { childCursor, childCursorId, InvalidCursorError, maxPageSize } from '@registry/db';
import { GraphQLError } from 'graphql';

interface ConnectionArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}

function badInput(message: string, field: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field } });
}

/** The page a connection field asks for: forward only, 0 to 100 rows, default 20. */
export function pageOf(
  args: ConnectionArgs,
  defaultFirst = 20,
): { first: number; after: string | null } {
  if (args.last != null || args.before != null) {
    throw badInput('Only forward pagination (first/after) is supported', 'last');
  }
  const first = args.first ?? defaultFirst;
  if (first < 0 || first > maxPageSize) {
    throw badInput(`first must be between 0 and ${maxPageSize}`, 'first');
  }
  return { first, after: args.after ?? null };
}

/** Nested lists page by child id; a cursor from elsewhere is the client's mistake. */
export function childPageOf(args: ConnectionArgs, defaultFirst = 20) {
  const { first, after } = pageOf(args, defaultFirst);
  return { first, after: after === null ? null : rethrowCursor(() => childCursorId(after)) };
}

export function rethrowCursor<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw badInput('after is not a cursor from this list', 'after');
    throw error;
  }
}

export async function rethrowCursorAsync<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw badInput('after is not a cursor from this list', 'after');
    throw error;
  }
}

/**
 * One edge of a page. Its cursor is encoded when a client reads it: most nested pages (a
 * session's attendance, a teacher's ledger) are read without cursors, and encoding one for each
 * of 500 edges was a twentieth of a nested read's CPU.
 */
export class Edge<T> {
  constructor(
    readonly node: T,
    private readonly cursorOf: (row: T) => string,
  ) {}

  get cursor(): string {
    return this.cursorOf(this.node);
  }
}

/** Where a page starts and ends; the cursors, too, are encoded only when read. */
class PageInfo<T> {
  constructor(
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
    private readonly edges: ReadonlyArray<Edge<T>>,
  ) {}

  get startCursor(): string | null {
    return this.edges[0]?.cursor ?? null;
  }

  get endCursor(): string | null {
    return this.edges.at(-1)?.cursor ?? null;
  }
}

/** The connection object for a page of rows; `totalCount` is computed only when selected. */
export function connectionOf<T>(
  rows: T[],
  hasNextPage: boolean,
  cursorOf: (row: T) => string,
  hadCursor: boolean,
  totalCount: () => Promise<number>,
) {
  const edges = rows.map((node) => new Edge(node, cursorOf));
  return { edges, pageInfo: new PageInfo(hasNextPage, hadCursor, edges), totalCount };
}

/**
 * A connection over rows already loaded in order — for lists bounded by one parent's history
 * (a teacher's enrollments, ledger entries, certificates: tens to hundreds over a career),
 * where one batched statement for all rows beats a page query plus a count query.
 */
export function sliceConnection<T>(
  rows: readonly T[],
  args: ConnectionArgs,
  idOf: (row: T) => number,
) {
  const { first, after } = childPageOf(args);
  let start = 0;
  if (after !== null) {
    const index = rows.findIndex((row) => idOf(row) === after);
    // A cursor of a row that is gone or invisible starts past everything rather than over.
    start = index === -1 ? rows.length : index + 1;
  }
  const page = rows.slice(start, start + first);
  return connectionOf(
    page,
    start + first < rows.length,
    (row) => childCursor(idOf(row)),
    after !== null,
    async () => rows.length,
  );
}
