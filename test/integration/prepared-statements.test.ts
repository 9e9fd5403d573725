import { fewIds, findOrganizationsByIds, type Database } from '@registry/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { currentEngine } from '../testkit/engines';

/**
 * Hot reads go to PostgreSQL as named prepared statements (decision 0021): each connection
 * parses a statement compiled once a single time and PostgreSQL keeps its plan. These tests
 * read pg_prepared_statements of the pool's one connection.
 *
 * PostgreSQL only: PGlite runs in the process and has no plan to keep per connection; every
 * other suite runs the same reads on it.
 */
const onPglite = currentEngine() === 'pglite';
if (onPglite) console.info('prepared-statements: skipped on PGlite — nothing is prepared there.');

async function prepared(database: Database): Promise<Array<{ name: string; statement: string }>> {
  const { rows } = await sql<{ name: string; statement: string }>`
    select name, statement from pg_prepared_statements order by prepare_time`.execute(database.db);
  return rows;
}

/** Two schools in a region of their own: the organizations the reads below look up. */
async function schoolIds(database: Database): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    with region as (
      insert into regions (code, name, kind) values ('PREP', 'Prepared province', 'province') returning id)
    insert into organizations (kind, code, name, region_id, is_rural)
    select 'school', code, code, region.id, false from region, (values ('PREP-1'), ('PREP-2')) as c(code)
    returning id`.execute(database.db);
  return rows.map((r) => r.id);
}

describe.skipIf(onPglite)('prepared statements (PostgreSQL)', () => {
  let database: TestDatabase;
  let ids: number[];

  beforeAll(async () => {
    // One connection, so the statements seen prepared are the ones this test ran.
    database = await createTestDatabase({ poolSize: 1 });
    ids = await schoolIds(database);
  });

  afterAll(async () => {
    await database?.close();
  });

  it('sends a statement compiled once by name, once per connection', async () => {
    expect(ids.length).toBeGreaterThan(1);
    const first = await findOrganizationsByIds(database.db, ids);
    const again = await findOrganizationsByIds(database.db, [...ids].reverse());
    expect(first.map((o) => o.id).sort()).toEqual([...ids].sort());
    expect(again.map((o) => o.id).sort()).toEqual([...ids].sort());
    const statements = (await prepared(database)).filter((s) =>
      s.statement.includes('from "organizations"'),
    );
    // Two executions, one preparation: the second reused the first's name.
    expect(statements).toHaveLength(1);
    expect(statements[0]!.name).toMatch(/^r\d+_[0-9a-f]{20}$/);
    expect(statements[0]!.statement).toContain('= any((select $1::int4[])::int4[])');
  });

  it('keeps one plan for a read of a few ids, and plans a read of more than fewIds for its ids', async () => {
    // Ids that exist or not: the plans are the point, not the rows.
    const many = [...ids, ...Array.from({ length: fewIds }, (_, i) => 1_000_000 + i)];
    for (let call = 0; call < 8; call += 1) {
      await findOrganizationsByIds(database.db, ids);
      await findOrganizationsByIds(database.db, many);
    }
    const { rows } = await sql<{ statement: string; generic_plans: string; custom_plans: string }>`
      select statement, generic_plans, custom_plans from pg_prepared_statements
       where statement like '%from "organizations"%'`.execute(database.db);
    const few = rows.find((r) => r.statement.includes('(select $1::int4[])'));
    const planned = rows.find((r) => r.statement.includes('= any($1::int4[])'));
    // Five custom plans to learn from, then the generic one on every later call: the array
    // reaches the plan as an InitPlan's output, so a custom plan can never look cheaper.
    expect(Number(few!.custom_plans)).toBe(5);
    expect(Number(few!.generic_plans)).toBeGreaterThanOrEqual(3);
    // Whether PostgreSQL keeps planning this one depends on the data; that it is a statement of
    // its own, with its own plans, does not.
    expect(Number(planned!.generic_plans) + Number(planned!.custom_plans)).toBe(8);
  });

  it('reads one id through a statement of its own, prepared once too', async () => {
    for (const id of [ids[0]!, ids[1]!, ids[0]!]) {
      expect((await findOrganizationsByIds(database.db, [id])).map((o) => o.id)).toEqual([id]);
    }
    const single = (await prepared(database)).filter(
      (s) => s.statement.includes('from "organizations"') && s.statement.includes('= $1::int4'),
    );
    expect(single).toHaveLength(1);
  });

  it('leaves every other statement unnamed', async () => {
    await sql`select ${1}::int + 1 as two`.execute(database.db);
    const statements = await prepared(database);
    expect(statements.some((s) => s.statement.includes('+ 1 as two'))).toBe(false);
  });

  it('survives a column added under a prepared select *: prepares the statement anew', async () => {
    await findOrganizationsByIds(database.db, ids);
    await sql`alter table organizations add column prepared_probe text`.execute(database.db);
    try {
      // PostgreSQL refuses the old statement ("cached plan must not change result type"); the
      // read is run again under a new name, outside a transaction nothing was changed.
      const rows = await findOrganizationsByIds(database.db, ids);
      expect(rows.map((o) => o.id).sort()).toEqual([...ids].sort());
      const names = (await prepared(database))
        .filter((s) => s.statement.includes('from "organizations"'))
        .filter((s) => s.statement.includes('(select $1::int4[])'))
        .map((s) => s.name);
      expect(new Set(names).size).toBe(2);
    } finally {
      await sql`alter table organizations drop column prepared_probe`.execute(database.db);
    }
  });

  it('inside a transaction, fails that transaction instead of running the read twice', async () => {
    await findOrganizationsByIds(database.db, ids);
    await sql`alter table organizations add column prepared_probe text`.execute(database.db);
    try {
      await expect(
        database.db.transaction().execute(async (trx) => findOrganizationsByIds(trx, ids)),
      ).rejects.toThrow(/cached plan must not change result type/);
      // The next read, outside, uses the new generation's name.
      const rows = await findOrganizationsByIds(database.db, ids);
      expect(rows).toHaveLength(ids.length);
    } finally {
      await sql`alter table organizations drop column prepared_probe`.execute(database.db);
    }
  });
});

describe.skipIf(onPglite)('prepared statements switched off (PostgreSQL)', () => {
  it('prepares nothing (a pooler that cannot keep them: DATABASE_PREPARED_STATEMENTS=off)', async () => {
    const database = await createTestDatabase({ poolSize: 1, preparedStatements: false });
    try {
      const ids = await schoolIds(database);
      const rows = await findOrganizationsByIds(database.db, ids);
      expect(rows).toHaveLength(ids.length);
      expect(await prepared(database)).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
