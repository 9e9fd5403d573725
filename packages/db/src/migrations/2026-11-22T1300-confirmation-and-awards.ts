import { sql, type Kysely } from 'kysely';

/**
 * Confirmation chain and crediting (issue 4, points 5 and 6).
 *
 * - credit_ledger.origin tells the entries the crediting writes from the completion rules
 *   ('crediting': awards, and the adjustments and revocations of a re-confirmation) from the
 *   corrections an education office makes by hand ('office'). A re-confirmation after an
 *   attendance amendment recomputes only what the rules decide and keeps the office's own
 *   corrections; without this column the two cannot be told apart. Existing rows are awards
 *   written the crediting way (the seed), hence the default. Adding a column with a constant
 *   default rewrites no row, so the append-only trigger is not involved.
 * - At most one standing (not superseded) link per activity, level and organization, and at
 *   most one standing office link per activity: the chain can never hold two current
 *   signatures for the same thing, whatever concurrent requests do.
 */
const statements = [
  `alter table credit_ledger add column origin text not null default 'crediting'
    check (origin in ('crediting', 'office'))`,
  `alter table credit_ledger add constraint credit_ledger_award_by_crediting
    check (kind <> 'award' or origin = 'crediting')`,
  `create unique index confirmations_one_standing_link on confirmations (activity_id, level, organization_id)
    where superseded_at is null`,
  `create unique index confirmations_one_standing_office on confirmations (activity_id)
    where level = 'office' and superseded_at is null`,
  `create index credit_ledger_enrollment_idx on credit_ledger (enrollment_id)`,
  `create index credit_ledger_corrects_idx on credit_ledger (corrects_entry_id)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
