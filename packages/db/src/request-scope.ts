import type {
  Kysely,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

/**
 * What one unit of work (an HTTP request) carries down to the database layer: the tally of the
 * SQL statements it issued (x-sql-statements, the request log line, the statement-count tests,
 * so N+1 regressions show up as a number) and, for a request with an Idempotency-Key, the
 * claim its first write transaction makes.
 *
 * It travels as a Kysely plugin on the request's own Kysely instance
 * (`database.db.withPlugin(scope)`), which transactions, connections and every repository
 * given `ctx.db` inherit, rather than in AsyncLocalStorage: on Node 20 an active
 * AsyncLocalStorage turns on promise hooks for every promise in the process, which cost about a
 * tenth of the gateway's CPU on nested reads (pnpm bench W3, docs/decisions/0013). Work that
 * does not go through the request's instance is not counted — by construction, not by accident.
 */
export class RequestScope implements KyselyPlugin {
  /** Statements that returned a result. */
  statements = 0;
  /** Time from building to the result of those statements, in milliseconds (pool waits included). */
  databaseMs = 0;
  /** Set while a request with an Idempotency-Key runs (see idempotency.repository.ts). */
  idempotency: IdempotencyScope | null = null;
  readonly #started = new WeakMap<QueryId, number>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#started.set(args.queryId, performance.now());
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.statements += 1;
    const started = this.#started.get(args.queryId);
    if (started !== undefined) this.databaseMs += performance.now() - started;
    return args.result;
  }
}

/** The scope `db` (a request's instance, or a transaction of it) carries, if any. */
export function requestScopeOf<T>(db: Kysely<T>): RequestScope | undefined {
  for (const plugin of db.getExecutor().plugins) {
    if (plugin instanceof RequestScope) return plugin;
  }
  return undefined;
}

export interface IdempotencyScope {
  accountId: number;
  key: string;
  /** sha256 of the request, hex. */
  requestHash: string;
  /** Identifies this request's claim among concurrent requests with the same key. */
  claimToken: string;
  /** Set once a transaction of this request inserted the row (it may still roll back). */
  claimAttempted: boolean;
  /** Set when another request holds the key: this request's writes were rolled back. */
  takenByAnother: boolean;
}
