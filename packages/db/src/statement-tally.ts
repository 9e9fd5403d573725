import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Counts the SQL statements one unit of work (an HTTP request) issues, so N+1 regressions show
 * up as a number: in the x-sql-statements response header, in the request log line and in the
 * statement-count tests. Async context follows the awaits of the request, DataLoader batches
 * included, so concurrent requests never mix their counts.
 */
export interface StatementTally {
  statements: number;
  /** Time spent waiting on the database, in milliseconds. */
  databaseMs: number;
}

const scope = new AsyncLocalStorage<StatementTally>();

export function withStatementTally<T>(work: (tally: StatementTally) => Promise<T>): Promise<T> {
  const tally: StatementTally = { statements: 0, databaseMs: 0 };
  return scope.run(tally, () => work(tally));
}

/** Called by the database layer after every statement. */
export function recordStatement(durationMs: number): void {
  const tally = scope.getStore();
  if (!tally) return;
  tally.statements += 1;
  tally.databaseMs += durationMs;
}

/** The tally of the unit of work in progress, if any. */
export function currentStatementTally(): StatementTally | undefined {
  return scope.getStore();
}
