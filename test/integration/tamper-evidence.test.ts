import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  migrateToLatest,
  openDatabase,
  verifyAuditChain,
  type Database,
  type DB,
} from '@registry/db';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { adminUrl, currentEngine } from '../testkit/engines';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * Issue 7, point 7: the application's role cannot rewrite the ledger or the audit log, it is no
 * superuser and owns nothing, the audit log is a hash chain, and `pnpm audit:verify` names the
 * entry that someone edited behind the application's back.
 */
let database: TestDatabase;
let fx: Fixtures;
let world: Awaited<ReturnType<Fixtures['world']>>;
let server: Awaited<ReturnType<typeof startTestServer>>;
let institutionAdmin: Awaited<ReturnType<typeof server.as>>;
let institutionId: string;
let categoryCode: string;

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const PERMISSION_DENIED = '42501';

beforeAll(async () => {
  database = await createTestDatabase();
  fx = new Fixtures(database.db);
  world = await fx.world();
  categoryCode = (await fx.category()).code;
  server = await startTestServer(database);
  institutionAdmin = await server.as(await fx.account('institution_admin', world.institution));
  institutionId = Buffer.from(`Organization:${world.institution.id}`).toString('base64');
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

let codes = 0;
const createActivity = `mutation($input: CreateActivityInput!) {
  createActivity(input: $input) { __typename }
}`;
function activityInput() {
  codes += 1;
  return {
    providerId: institutionId,
    code: `CHAIN-${codes}`,
    title: `链式审计 ${codes}`,
    category: categoryCode,
    level: 'DISTRICT',
    deliveryMode: 'BLENDED',
    creditHours: 12,
    startsOn: '2026-12-01',
    endsOn: '2026-12-05',
    eligibilityRules: {},
    completionRules: { minAttendanceRatio: 0.8 },
  };
}

async function createActivities(call: typeof institutionAdmin, count: number, parallel: boolean) {
  const run = () =>
    call<{ createActivity: { __typename: string } }>(createActivity, { input: activityInput() });
  const results: Awaited<ReturnType<typeof run>>[] = [];
  if (parallel) results.push(...(await Promise.all(Array.from({ length: count }, run))));
  else for (let i = 0; i < count; i += 1) results.push(await run());
  for (const result of results) {
    expect(result.data?.createActivity.__typename).toBe('MutationCreateActivitySuccess');
  }
}

async function auditCount(db: Kysely<DB>): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(db);
  return rows[0]!.n;
}

/** Runs `work` on one connection that has become registry_app, and becomes the superuser again. */
async function asApplicationRole<T>(work: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  return database.db.connection().execute(async (connection) => {
    await sql`set role registry_app`.execute(connection);
    try {
      return await work(connection);
    } finally {
      await sql`reset role`.execute(connection);
    }
  });
}

async function failure(
  statement: () => Promise<unknown>,
): Promise<{ code?: string; message: string }> {
  try {
    await statement();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('statement was accepted');
}

describe('the application role registry_app', () => {
  it('is no superuser, cannot create roles, databases or tables, and owns nothing', async () => {
    const { rows } = await sql<{
      rolsuper: boolean;
      rolbypassrls: boolean;
      rolcreaterole: boolean;
      rolcreatedb: boolean;
      owned: number;
      can_create: boolean;
    }>`select r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,
         (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and pg_has_role('registry_app', c.relowner, 'MEMBER')) as owned,
         has_schema_privilege('registry_app', 'public', 'CREATE') as can_create
       from pg_roles r where r.rolname = 'registry_app'`.execute(database.db);
    expect(rows).toEqual([
      {
        rolsuper: false,
        rolbypassrls: false,
        rolcreaterole: false,
        rolcreatedb: false,
        owned: 0,
        can_create: false,
      },
    ]);
  });

  it('may only read and append to the ledger and the audit log; ordinary tables are read-write', async () => {
    const privileges = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'];
    const { rows } = await sql<{ table: string; granted: string[] }>`
      select t as "table", array(
        select p from unnest(${privileges}::text[]) p
        where has_table_privilege('registry_app', t, p) order by array_position(${privileges}::text[], p)
      ) as granted
      from unnest(array['credit_ledger', 'audit_log', 'audit_chain_head', 'kysely_migration', 'activities', 'attendance']) t`.execute(
      database.db,
    );
    expect(Object.fromEntries(rows.map((row) => [row.table, row.granted]))).toEqual({
      credit_ledger: ['SELECT', 'INSERT'],
      audit_log: ['SELECT', 'INSERT'],
      audit_chain_head: ['SELECT'],
      kysely_migration: ['SELECT'],
      activities: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
      attendance: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    });
    // Every table the migrations made is covered: none is left without the application's grants.
    const missing = await sql<{ relname: string }>`
      select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')
        and not has_table_privilege('registry_app', c.oid, 'SELECT')`.execute(database.db);
    expect(missing.rows).toEqual([]);
  });

  it.each([
    ['UPDATE credit_ledger', sql`update credit_ledger set hours = hours + 1`],
    ['DELETE credit_ledger', sql`delete from credit_ledger`],
    ['TRUNCATE credit_ledger', sql`truncate credit_ledger`],
    ['UPDATE audit_log', sql`update audit_log set action = 'forged'`],
    ['DELETE audit_log', sql`delete from audit_log`],
    ['TRUNCATE audit_log', sql`truncate audit_log`],
    [
      'UPDATE audit_chain_head',
      sql`update audit_chain_head set last_position = 0, last_hash = null`,
    ],
    ['ALTER TABLE audit_log DISABLE TRIGGER', sql`alter table audit_log disable trigger user`],
  ])('is refused %s by the grants', async (_name, statement) => {
    const error = await asApplicationRole((db) => failure(() => statement.execute(db)));
    expect(error.code).toBe(PERMISSION_DENIED);
    expect(error.message).toMatch(/permission denied|must be owner/);
  });

  it('appends to the ledger and the audit log, and its audit entry is sealed into the chain', async () => {
    await asApplicationRole(async (db) => {
      await sql`insert into credit_ledger (teacher_id, kind, category, hours, earned_on, reason, origin)
        values (${world.teacher.id}, 'adjustment', ${categoryCode}, 2, '2026-11-20', 'registry_app may append', 'office')`.execute(
        db,
      );
      await sql`insert into audit_log (action, entity_type, entity_id, after, prev_hash, hash)
        values ('test.appended', 'test', '1', '{"by": "registry_app"}', 'forged', 'forged')`.execute(
        db,
      );
    });
    const { rows } = await sql<{ chain_position: number | null; hash: string | null }>`
      select chain_position, hash from audit_log where action = 'test.appended'`.execute(
      database.db,
    );
    expect(rows[0]?.chain_position).toBeGreaterThan(0);
    expect(rows[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await verifyAuditChain(database.db)).broken).toBeNull();
  });
});

describe('the audit hash chain', () => {
  it('verifies after the application writes entries through the API, concurrent ones included', async () => {
    await createActivities(institutionAdmin, 3, false);
    await createActivities(institutionAdmin, 12, true);
    const report = await verifyAuditChain(database.db);
    expect(report.broken).toBeNull();
    const count = await auditCount(database.db);
    expect(count).toBeGreaterThanOrEqual(15);
    expect(report.verified).toBe(count);
    expect(report.head.position).toBe(count);
    // Positions follow commit order without gaps, whatever the ids.
    const { rows } = await sql<{ positions: number[] }>`
      select array_agg(chain_position order by chain_position) as positions from audit_log`.execute(
      database.db,
    );
    expect(rows[0]!.positions.map(Number)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  });

  it('chains transactions that overlap and leaves nothing of one that rolls back', async () => {
    const before = await auditCount(database.db);
    const append = (n: number, rollBack: boolean) =>
      database.db
        .transaction()
        .execute(async (trx) => {
          await sql`insert into audit_log (action, entity_type, entity_id) values ('test.overlap', 'test', ${String(n)})`.execute(
            trx,
          );
          // Keep the transaction open a moment so that the others' commits fall inside it.
          await sql`select pg_sleep(0.02)`.execute(trx);
          if (rollBack) throw new Error('rolled back on purpose');
        })
        .catch((error: Error) => {
          if (error.message !== 'rolled back on purpose') throw error;
        });
    await Promise.all(Array.from({ length: 16 }, (_, n) => append(n, n % 4 === 0)));
    expect(await auditCount(database.db)).toBe(before + 12);
    const report = await verifyAuditChain(database.db);
    expect(report.broken).toBeNull();
    expect(report.verified).toBe(before + 12);
  });

  /**
   * What a superuser can do behind the application's back, each inside a transaction that is
   * rolled back, so the cases stay independent. `verifyAuditChain` runs in that transaction.
   */
  async function tamper(
    change: (trx: Kysely<DB>, target: { id: number; position: number }) => Promise<void>,
    options: Parameters<typeof verifyAuditChain>[1] = {},
  ) {
    let report: Awaited<ReturnType<typeof verifyAuditChain>> | undefined;
    const { rows } = await sql<{ id: number; chain_position: number }>`
      select id, chain_position from audit_log order by chain_position offset 5 limit 1`.execute(
      database.db,
    );
    const target = { id: Number(rows[0]!.id), position: Number(rows[0]!.chain_position) };
    await database.db
      .transaction()
      .execute(async (trx) => {
        await sql`alter table audit_log disable trigger user`.execute(trx);
        await change(trx, target);
        await sql`alter table audit_log enable trigger user`.execute(trx);
        report = await verifyAuditChain(trx, options);
        throw new Error('roll back');
      })
      .catch((error: Error) => {
        if (error.message !== 'roll back') throw error;
      });
    return { report: report!, target };
  }

  it('names the entry whose content was edited', async () => {
    const { report, target } = await tamper(async (trx, { id }) => {
      await sql`update audit_log set after = jsonb_set(coalesce(after, '{}'), '{title}', '"forged"') where id = ${id}`.execute(
        trx,
      );
    });
    expect(report.broken).toMatchObject({ id: target.id, chainPosition: target.position });
    expect(report.broken?.reason).toMatch(/edited/);
    expect(report.verified).toBe(target.position - 1);
  });

  it('names the entry after one that was deleted', async () => {
    const { report, target } = await tamper(async (trx, { id }) => {
      await sql`delete from audit_log where id = ${id}`.execute(trx);
    });
    expect(report.broken).toMatchObject({ chainPosition: target.position + 1 });
    expect(report.broken?.reason).toMatch(
      new RegExp(`entry ${target.position} of the chain is missing`),
    );
  });

  it('notices entries cut from the end', async () => {
    const { report } = await tamper(async (trx) => {
      await sql`delete from audit_log where chain_position = (select max(chain_position) from audit_log)`.execute(
        trx,
      );
    });
    expect(report.broken?.reason).toMatch(/entries deleted from the end/);
  });

  it('names an entry inserted with the triggers disabled', async () => {
    let forged = 0;
    const { report } = await tamper(async (trx) => {
      const { rows } = await sql<{ id: number }>`
        insert into audit_log (action, entity_type, entity_id) values ('forged', 'test', '1') returning id`.execute(
        trx,
      );
      forged = Number(rows[0]!.id);
    });
    expect(report.broken).toMatchObject({ id: forged, chainPosition: null });
  });

  it('seals only the committing transaction’s own entries, never one inserted with the triggers off', async () => {
    let forged = 0;
    let sealed: { chain_position: number | null; hash: string | null } | undefined;
    let report: Awaited<ReturnType<typeof verifyAuditChain>> | undefined;
    await database.db
      .transaction()
      .execute(async (trx) => {
        await sql`alter table audit_log disable trigger user`.execute(trx);
        const inserted = await sql<{ id: number }>`
          insert into audit_log (action, entity_type, entity_id) values ('forged', 'test', '1') returning id`.execute(
          trx,
        );
        forged = Number(inserted.rows[0]!.id);
        await sql`alter table audit_log enable trigger user`.execute(trx);
        const own = await sql<{ id: number }>`
          insert into audit_log (action, entity_type, entity_id) values ('test.own', 'test', '1') returning id`.execute(
          trx,
        );
        // Seal now instead of at commit, to look at the result before rolling back.
        await sql`set constraints audit_log_seal immediate`.execute(trx);
        const rows = await sql<{ chain_position: number | null; hash: string | null }>`
          select chain_position, hash from audit_log where id = ${own.rows[0]!.id}`.execute(trx);
        sealed = rows.rows[0];
        report = await verifyAuditChain(trx);
        throw new Error('roll back');
      })
      .catch((error: Error) => {
        if (error.message !== 'roll back') throw error;
      });
    expect(sealed?.chain_position).toBeGreaterThan(0);
    expect(sealed?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(report?.broken).toMatchObject({ id: forged, chainPosition: null });
  });

  it('catches a chain recomputed after an edit only against an anchor recorded before', async () => {
    const anchor = await verifyAuditChain(database.db);
    const rewrite = async (trx: Kysely<DB>, target: { id: number; position: number }) => {
      await sql`update audit_log set after = '{"forged": true}' where id = ${target.id}`.execute(
        trx,
      );
      // Everything a superuser needs to hide the edit: rehash from the edited entry to the head.
      await sql
        .raw(
          `do $$
        declare entry audit_log; previous text;
        begin
          for entry in select * from audit_log where chain_position >= ${target.position} order by chain_position loop
            select hash into previous from audit_log where chain_position = entry.chain_position - 1;
            entry.prev_hash := previous;
            entry.hash := encode(sha256(convert_to(coalesce(previous, '') || audit_log_canonical(entry), 'UTF8')), 'hex');
            update audit_log set prev_hash = entry.prev_hash, hash = entry.hash where id = entry.id;
          end loop;
          update audit_chain_head set last_hash = (select hash from audit_log order by chain_position desc limit 1);
        end $$`,
        )
        .execute(trx);
    };
    const unanchored = await tamper(rewrite);
    expect(unanchored.report.broken).toBeNull();
    const anchored = await tamper(rewrite, {
      anchor: { position: anchor.head.position, hash: anchor.head.hash! },
    });
    expect(anchored.report.broken?.reason).toMatch(/differs from the anchor/);
    expect((await verifyAuditChain(database.db)).broken).toBeNull();
  });
});

describe.runIf(currentEngine() === 'postgres')('on PostgreSQL', () => {
  it('serves the API while connected as a LOGIN member of registry_app', async () => {
    // Roles belong to the cluster: created once, kept, harmless (no rights but registry_app's).
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`do $$ begin
        create role registry_app_login login in role registry_app;
      exception when duplicate_object or unique_violation then null; end $$`);
    } finally {
      await admin.end();
    }
    const url = new URL(database.url!);
    url.username = 'registry_app_login';
    const application: Database = await openDatabase({ url: url.toString(), poolSize: 4 });
    const appServer = await startTestServer(application);
    try {
      const { rows } = await sql<{ user: string; superuser: string }>`
        select current_user as user, current_setting('is_superuser') as superuser`.execute(
        application.db,
      );
      expect(rows[0]).toEqual({ user: 'registry_app_login', superuser: 'off' });
      // Start-up migrates; on a migrated database that only reads, which the role may.
      const migrated = await migrateToLatest(application.db);
      expect(migrated.results).toEqual([]);

      const before = await auditCount(database.db);
      const call = await appServer.as(await fx.account('institution_admin', world.institution));
      await createActivities(call, 4, true);
      expect(await auditCount(database.db)).toBe(before + 4);
      const ready = await fetch(`${appServer.url}/readyz`);
      expect(ready.status).toBe(200);

      const refused = await failure(() => sql`delete from credit_ledger`.execute(application.db));
      expect(refused.code).toBe(PERMISSION_DENIED);
    } finally {
      await appServer.stop();
      await application.close();
    }
  });

  it('`pnpm audit:verify` exits 0 on an intact chain and 1 naming the edited entry', async () => {
    const run = (args: string[] = []) =>
      promisify(execFile)(
        'pnpm',
        ['--silent', 'audit:verify', ...(args.length ? ['--', ...args] : [])],
        { cwd: repositoryRoot, env: { ...process.env, DATABASE_URL: database.url! } },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const intact = await run();
    expect(intact.stdout).toMatch(/audit log chain intact: \d+ entries verified/);
    expect(intact.code).toBe(0);
    const head = /head (\d+:[0-9a-f]{64})/.exec(intact.stdout)?.[1];
    expect(head).toBeDefined();
    expect((await run(['--anchor', head!])).code).toBe(0);

    const { rows } = await sql<{ id: number }>`
      select id from audit_log order by chain_position offset 3 limit 1`.execute(database.db);
    const edited = Number(rows[0]!.id);
    // Behind the application's back, and committed: a superuser switches the triggers off.
    await sql`alter table audit_log disable trigger user`.execute(database.db);
    await sql`update audit_log set after = '{"edited": "behind its back"}' where id = ${edited}`.execute(
      database.db,
    );
    await sql`alter table audit_log enable trigger user`.execute(database.db);
    const broken = await run();
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      new RegExp(`BROKEN at entry id ${edited}, chain position 4: .*edited`),
    );
  }, 60_000);
});
