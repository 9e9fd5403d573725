import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type KyselyPlugin,
  type QueryId,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DB } from '../generated/database';
import { compiledByIds, compiledOnce, fewIds } from './compiled-once';

/** A Kysely whose driver records what it is asked to run and answers with no rows. */
function recordingDb() {
  const sent: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery) {
      sent.push({ sql: query.sql, parameters: query.parameters });
      return { rows: [] as R[] };
    },
    // eslint-disable-next-line require-yield
    async *streamQuery() {
      throw new Error('not used');
    },
  };
  const driver: Driver = {
    async init() {},
    async acquireConnection() {
      return connection;
    },
    async beginTransaction() {},
    async commitTransaction() {},
    async rollbackTransaction() {},
    async releaseConnection() {},
    async destroy() {},
  };
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return { db, sent };
}

describe('compiledOnce', () => {
  it('builds once per shape and sends each call its own values in the placeholders', async () => {
    const { db, sent } = recordingDb();
    let builds = 0;
    const byIds = compiledOnce({
      placeholders: ['ids'],
      shapeKey: (regionId: number) => String(regionId),
      build: (db, p, regionId) => {
        builds += 1;
        return db
          .selectFrom('activities')
          .select('id')
          .where('id', '=', sql<number>`any(${p.ids}::int4[])`)
          .where('region_id', '=', regionId);
      },
    });
    await byIds(db, 7, { ids: '{1,2}' });
    await byIds(db, 7, { ids: '{3}' });
    await byIds(db, 8, { ids: '{4}' });
    expect(builds).toBe(2);
    expect(sent.map((s) => s.parameters)).toEqual([
      ['{1,2}', 7],
      ['{3}', 7],
      ['{4}', 8],
    ]);
    expect(sent[0]!.sql).toBe(
      'select "id" from "activities" where "id" = any($1::int4[]) and "region_id" = $2',
    );
    expect(sent[1]!.sql).toBe(sent[0]!.sql);
  });

  it('lets a shape leave a placeholder out, and refuses one used twice', async () => {
    const { db, sent } = recordingDb();
    const page = compiledOnce({
      placeholders: ['after', 'limit'],
      shapeKey: (afterGiven: boolean) => String(afterGiven),
      build: (db, p, afterGiven) =>
        db
          .selectFrom('activities')
          .select('id')
          .$if(afterGiven, (q) => q.where('id', '>', sql<number>`${p.after}`))
          .limit(sql<number>`${p.limit}`),
    });
    await page(db, false, { after: 0, limit: 51 });
    await page(db, true, { after: 90, limit: 21 });
    expect(sent).toEqual([
      { sql: 'select "id" from "activities" limit $1', parameters: [51] },
      { sql: 'select "id" from "activities" where "id" > $1 limit $2', parameters: [90, 21] },
    ]);

    const twice = compiledOnce({
      placeholders: ['id'],
      shapeKey: () => '',
      build: (db, p) =>
        db
          .selectFrom('activities')
          .select('id')
          .where('id', '=', sql<number>`${p.id}`)
          .where('provider_id', '=', sql<number>`${p.id}`),
    });
    await expect(twice(db, null, { id: 1 })).rejects.toThrow(/placeholder appears twice/);
  });

  it('keeps at most maxShapes templates, rebuilding what it dropped', async () => {
    const { db } = recordingDb();
    let builds = 0;
    const byRegion = compiledOnce({
      placeholders: [],
      shapeKey: (regionId: number) => String(regionId),
      build: (db, _p, regionId) => {
        builds += 1;
        return db.selectFrom('activities').select('id').where('region_id', '=', regionId);
      },
      maxShapes: 2,
    });
    for (const regionId of [1, 2, 1, 2, 3, 1]) await byRegion(db, regionId, {});
    // 1 and 2 built; 3 finds the cache full and starts it over; 1 is built again.
    expect(builds).toBe(4);
  });

  it('reads by ids with one int4[] parameter, and passes both plugin hooks as a built query does', async () => {
    const { db, sent } = recordingDb();
    // The request's tally counts a statement in transformResult and times it from transformQuery.
    const seen: Array<['query' | 'result', QueryId]> = [];
    const plugin: KyselyPlugin = {
      transformQuery: ({ node, queryId }) => {
        seen.push(['query', queryId]);
        return node;
      },
      transformResult: async ({ result, queryId }) => {
        seen.push(['result', queryId]);
        return result;
      },
    };
    const byIds = compiledByIds({
      build: (db, anyId) => db.selectFrom('activities').select('id').where('id', '=', anyId),
    });
    await byIds(db.withPlugin(plugin), null, [3, 1, 2]);
    expect(sent).toEqual([
      {
        sql: 'select "id" from "activities" where "id" = any((select $1::int4[])::int4[])',
        parameters: ['{3,1,2}'],
      },
    ]);
    // Building the template passes transformQuery once more; the statement sent passes both.
    const [query, result] = seen.slice(-2);
    expect([query![0], result![0]]).toEqual(['query', 'result']);
    expect(result![1]).toBe(query![1]); // the same statement (query ids are compared by identity)
  });

  it('reads one id, a few and many each with a text of its own, so PostgreSQL can keep the plans of the first two', async () => {
    const { db, sent } = recordingDb();
    const byIds = compiledByIds({
      build: (db, anyId) => db.selectFrom('activities').select('id').where('id', '=', anyId),
    });
    const hundred = Array.from({ length: fewIds }, (_, i) => i + 1);
    await byIds(db, null, [7]);
    await byIds(db, null, [7, 8]);
    await byIds(db, null, [9]);
    await byIds(db, null, hundred);
    await byIds(db, null, [...hundred, 101]);
    const few = 'select "id" from "activities" where "id" = any((select $1::int4[])::int4[])';
    expect(sent).toEqual([
      { sql: 'select "id" from "activities" where "id" = $1::int4', parameters: ['7'] },
      { sql: few, parameters: ['{7,8}'] },
      { sql: 'select "id" from "activities" where "id" = $1::int4', parameters: ['9'] },
      { sql: few, parameters: [`{${hundred.join(',')}}`] },
      {
        sql: 'select "id" from "activities" where "id" = any($1::int4[])',
        parameters: [`{${[...hundred, 101].join(',')}}`],
      },
    ]);
    expect(() => byIds(db, null, [1.5])).toThrow(TypeError);
    expect(() => byIds(db, null, [1, 2.5])).toThrow(TypeError);
  });
});
