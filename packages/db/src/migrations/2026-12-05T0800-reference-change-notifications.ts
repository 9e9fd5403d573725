import { sql, type Kysely } from 'kysely';

/**
 * Every change to the reference tables an API process keeps in memory — credit categories and
 * requirement policies — is announced on the channel `registry_reference` (issue 6, decision
 * 0023), with the table's name as the payload. Neither table is written by the API: seeds,
 * migrations and an operator in psql change them, and the triggers catch all three.
 *
 * Statement-level, so a seed of many rows sends one notification per statement; PostgreSQL
 * delivers them when the transaction commits and never for one that rolls back.
 */
const channel = 'registry_reference';
const tables = ['credit_categories', 'requirement_policies'];

const statements = [
  `create function notify_reference_change() returns trigger language plpgsql as $$
  begin
    perform pg_notify('${channel}', tg_table_name);
    return null;
  end $$`,
  ...tables.map(
    (table) => `create trigger ${table}_notify_change
      after insert or update or delete or truncate on ${table}
      for each statement execute function notify_reference_change()`,
  ),
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
