import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/**
 * Presents one embedded PGlite instance as the tiny slice of a `pg.Pool` that Kysely's own
 * PostgresDialect uses, so both engines share one dialect, one query compiler and one code path.
 *
 * PGlite is a single connection. Kysely runs a transaction on one acquired connection, so the
 * pool hands the connection to one borrower at a time; everyone else waits in FIFO order.
 * That keeps a transaction from interleaving with unrelated statements.
 */
export class PglitePool implements PostgresPool {
  readonly #pglite: PGlite;
  #busy = false;
  readonly #waiting: Array<() => void> = [];

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async connect(): Promise<PostgresPoolClient> {
    if (this.#busy) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#busy = true;
    const pglite = this.#pglite;
    let released = false;
    return {
      query: async <R>(sqlText: string, parameters: ReadonlyArray<unknown>) => {
        const result = await pglite.query<R>(sqlText, parameters as unknown[]);
        return {
          command: commandOf(sqlText),
          rowCount: result.affectedRows ?? result.rows.length,
          rows: result.rows,
        } satisfies PostgresQueryResult<R>;
      },
      release: () => {
        if (released) return;
        released = true;
        const next = this.#waiting.shift();
        if (next) next();
        else this.#busy = false;
      },
    } as PostgresPoolClient;
  }

  /** Runs `work` while holding the engine's only connection: nobody's transaction is open. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      return await work();
    } finally {
      client.release();
    }
  }

  async end(): Promise<void> {
    await this.#pglite.close();
  }
}

/**
 * The command of a statement, as PostgreSQL reports it to pg: Kysely reads numAffectedRows only
 * for INSERT, UPDATE, DELETE and MERGE. Leading comments — the names statements carry for the
 * logs, such as attendance.insert-fresh — are skipped, or a named DELETE counted no rows.
 */
export function commandOf(sqlText: string): PostgresQueryResult<unknown>['command'] {
  const body = sqlText.replace(/^(?:\s+|\/\*[\s\S]*?\*\/|--[^\n]*(?:\n|$))*/, '');
  const word = /^(?:with\b[\s\S]*?\)\s*)?(\w+)/i.exec(body)?.[1]?.toUpperCase();
  switch (word) {
    case 'INSERT':
    case 'UPDATE':
    case 'DELETE':
    case 'MERGE':
      return word;
    default:
      return 'SELECT';
  }
}
