import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { currentEngine } from '../testkit/engines';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * Exactly once under concurrency (issue 4, point 6): 100 concurrent roster confirmations of one
 * activity through the HTTP API write exactly one award per completed enrollment; after an
 * amendment, 100 concurrent re-confirmations write exactly one revocation per enrollment that
 * no longer completes. Every losing call is a typed ConflictError, never a 500.
 *
 * PostgreSQL only: PGlite is a single connection, so its "concurrent" calls queue one behind the
 * other and prove nothing about races.
 */
const onPglite = currentEngine() === 'pglite';
if (onPglite) {
  console.info(
    'crediting-concurrency: skipped on PGlite — it has one connection, so requests cannot race; this runs on PostgreSQL.',
  );
}

const calls = 100;
const participants = 40;
/** Participants whose attendance an amendment takes below the threshold before round two. */
const dropped = 10;

let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let fx: Fixtures;
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

describe.skipIf(onPglite)('concurrent roster confirmations (PostgreSQL)', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    fx = new Fixtures(database.db);
    server = await startTestServer(database);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.close();
  });

  it(`${calls} concurrent confirmRoster calls write one award per completed enrollment, then one revocation per amended one`, async () => {
    const world = await fx.world();
    const schoolAdmin = await server.as(await fx.account('school_admin', world.school));
    // Two officers of the office and a platform admin race each other.
    const confirmers = [
      await server.as(await fx.account('office_officer', world.office)),
      await server.as(await fx.account('office_officer', world.office)),
      await server.as(await fx.account('platform_admin', null)),
    ];
    const activity = await fx.activity(world.institution, { creditHours: 8, endsOn: '2026-03-02' });
    const sessions = [];
    for (let sequence = 1; sequence <= 4; sequence += 1) {
      sessions.push(await fx.session(activity, { sequence, hours: 2 }));
    }
    const firstAttendance: number[] = [];
    for (let i = 0; i < participants; i += 1) {
      const teacher = await fx.teacher(world.school);
      const enrollment = await fx.enrollment(activity, teacher);
      await sql`update enrollments set status = 'eligibility_confirmed' where id = ${enrollment.id}`.execute(
        fx.db,
      );
      const rows = await fx.db
        .insertInto('attendance')
        .values(
          sessions.map((s) => ({
            activity_id: activity.id,
            session_id: s.id,
            enrollment_id: enrollment.id,
            status: 'present',
            minutes: 120,
            source: 'trainer',
          })),
        )
        .returning('id')
        .execute();
      firstAttendance.push(rows[0]!.id);
    }
    await sql`update activities set status = 'closed' where id = ${activity.id}`.execute(fx.db);

    const confirmSchool = async () => {
      const { data } = await schoolAdmin<{ confirmSchoolAttendance: { __typename: string } }>(
        `mutation($input: ConfirmSchoolAttendanceInput!) { confirmSchoolAttendance(input: $input) { __typename } }`,
        { input: { activityId: g('Activity', activity.id) } },
      );
      expect(data!.confirmSchoolAttendance.__typename).toBe(
        'MutationConfirmSchoolAttendanceSuccess',
      );
    };

    /** Fires `calls` confirmRoster calls at once; returns every answer's type and the time. */
    const race = async () => {
      const started = performance.now();
      const answers = await Promise.all(
        Array.from({ length: calls }, (_, i) =>
          confirmers[i % confirmers.length]!<{
            confirmRoster: {
              __typename: string;
              code?: string;
              data?: { crediting: Record<string, number> };
            };
          }>(
            `mutation($input: ConfirmRosterInput!) { confirmRoster(input: $input) { __typename
              ... on UserError { code }
              ... on MutationConfirmRosterSuccess { data { crediting {
                completed awardsWritten awardsAlreadyPresent revocationsWritten } } } } }`,
            { input: { activityId: g('Activity', activity.id) } },
          ),
        ),
      );
      const ms = Math.round(performance.now() - started);
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.errors).toBeUndefined();
      }
      const payloads = answers.map((a) => a.data!.confirmRoster);
      const winners = payloads.filter((p) => p.__typename === 'MutationConfirmRosterSuccess');
      const losers = payloads.filter((p) => p.__typename !== 'MutationConfirmRosterSuccess');
      expect(winners).toHaveLength(1);
      expect(losers.every((p) => p.__typename === 'ConflictError' && p.code === 'CONFLICT')).toBe(
        true,
      );
      return { winner: winners[0]!.data!.crediting, conflicts: losers.length, ms };
    };

    const ledger = async () => {
      const { rows } = await sql<{
        kind: string;
        entries: number;
        enrollments: number;
      }>`select kind, count(*)::int as entries, count(distinct enrollment_id)::int as enrollments
          from credit_ledger where activity_id = ${activity.id} group by kind order by kind`.execute(
        fx.db,
      );
      return Object.fromEntries(rows.map((r) => [r.kind, r]));
    };

    // Round one: the first crediting.
    await confirmSchool();
    const first = await race();
    const afterFirst = await ledger();
    expect(first.winner).toMatchObject({ completed: participants, awardsWritten: participants });
    expect(afterFirst.award).toEqual({
      kind: 'award',
      entries: participants,
      enrollments: participants,
    });
    expect(afterFirst.revocation).toBeUndefined();

    // Round two: amendments take `dropped` participants below 80 %, the school confirms again,
    // and the office's 100 concurrent re-confirmations revoke each of them exactly once.
    for (const attendanceId of firstAttendance.slice(0, dropped)) {
      const { data } = await schoolAdmin<{ amendAttendance: { __typename: string } }>(
        `mutation($input: AmendAttendanceInput!) { amendAttendance(input: $input) { __typename } }`,
        {
          input: {
            attendanceId: g('Attendance', attendanceId),
            status: 'ABSENT',
            minutes: 0,
            reason: '签到表误记',
          },
        },
      );
      expect(data!.amendAttendance.__typename).toBe('MutationAmendAttendanceSuccess');
    }
    await confirmSchool();
    const second = await race();
    const afterSecond = await ledger();
    expect(second.winner).toMatchObject({
      completed: participants - dropped,
      awardsWritten: 0,
      awardsAlreadyPresent: participants - dropped,
      revocationsWritten: dropped,
    });
    expect(afterSecond.award).toEqual({
      kind: 'award',
      entries: participants,
      enrollments: participants,
    });
    expect(afterSecond.revocation).toEqual({
      kind: 'revocation',
      entries: dropped,
      enrollments: dropped,
    });
    const { rows: links } = await sql<{
      revision: number;
    }>`select revision from confirmations where activity_id = ${activity.id} and level = 'office' order by revision`.execute(
      fx.db,
    );
    expect(links.map((l) => l.revision)).toEqual([1, 2]);

    console.info(
      [
        `crediting-concurrency (PostgreSQL, ${participants} participants, pool 10):`,
        `  round 1: ${calls} concurrent confirmRoster calls → 1 success, ${first.conflicts} ConflictError, ` +
          `${afterFirst.award!.entries} awards written for ${participants} completed enrollments in ${first.ms} ms`,
        `  round 2 (after ${dropped} amendments): ${calls} calls → 1 success, ${second.conflicts} ConflictError, ` +
          `${afterSecond.revocation!.entries} revocations, awards still ${afterSecond.award!.entries}, in ${second.ms} ms`,
      ].join('\n'),
    );
  }, 180_000);

  it(`amendments, school and office confirmations racing (${calls} calls) converge on the ledger the rules decide`, async () => {
    const world = await fx.world();
    const schoolAdmin = await server.as(await fx.account('school_admin', world.school));
    const officer = await server.as(await fx.account('office_officer', world.office));
    const trainerRow = await fx.trainer(world.institution);
    const trainer = await server.as(
      await fx.account('trainer', world.institution, { trainerId: trainerRow.id }),
    );
    // Four 2-hour sessions at 80 %: one absence is below the threshold, so every amendment
    // below flips its participant's outcome.
    const activity = await fx.activity(world.institution, { creditHours: 8, endsOn: '2026-03-02' });
    const sessions = [];
    for (let sequence = 1; sequence <= 4; sequence += 1) {
      sessions.push(await fx.session(activity, { sequence, hours: 2 }));
    }
    await fx.db
      .insertInto('session_trainers')
      .values(sessions.map((s) => ({ session_id: s.id, trainer_id: trainerRow.id })))
      .execute();
    const rows: number[] = [];
    const people = 20;
    for (let i = 0; i < people; i += 1) {
      const teacher = await fx.teacher(world.school);
      const enrollment = await fx.enrollment(activity, teacher);
      await sql`update enrollments set status = 'eligibility_confirmed' where id = ${enrollment.id}`.execute(
        fx.db,
      );
      const inserted = await fx.db
        .insertInto('attendance')
        .values(
          sessions.map((s) => ({
            activity_id: activity.id,
            session_id: s.id,
            enrollment_id: enrollment.id,
            status: 'present',
            minutes: 120,
            source: 'trainer',
          })),
        )
        .returning('id')
        .execute();
      rows.push(inserted[0]!.id);
    }
    await sql`update activities set status = 'closed' where id = ${activity.id}`.execute(fx.db);

    const op = {
      school: () =>
        schoolAdmin<{ confirmSchoolAttendance: { __typename: string } }>(
          `mutation($input: ConfirmSchoolAttendanceInput!) { confirmSchoolAttendance(input: $input) { __typename } }`,
          { input: { activityId: g('Activity', activity.id) } },
        ).then((r) => ({ ...r, typename: r.data?.confirmSchoolAttendance.__typename })),
      office: () =>
        officer<{ confirmRoster: { __typename: string } }>(
          `mutation($input: ConfirmRosterInput!) { confirmRoster(input: $input) { __typename } }`,
          { input: { activityId: g('Activity', activity.id) } },
        ).then((r) => ({ ...r, typename: r.data?.confirmRoster.__typename })),
      amend: (i: number) =>
        (i % 2 ? trainer : schoolAdmin)<{ amendAttendance: { __typename: string } }>(
          `mutation($input: AmendAttendanceInput!) { amendAttendance(input: $input) { __typename } }`,
          {
            input: {
              attendanceId: g('Attendance', rows[i % people]!),
              // The first half end absent, the others present again with other minutes.
              status: i % people < people / 2 ? 'ABSENT' : 'PRESENT',
              minutes: i % people < people / 2 ? 0 : 100 + (i % 7),
              reason: `并发更正 ${i}`,
            },
          },
        ).then((r) => ({ ...r, typename: r.data?.amendAttendance.__typename })),
    };
    expect((await op.school()).typename).toBe('MutationConfirmSchoolAttendanceSuccess');
    expect((await op.office()).typename).toBe('MutationConfirmRosterSuccess');

    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: calls }, (_, i) =>
        i % 4 === 0 ? op.office() : i % 4 === 1 ? op.school() : op.amend(i),
      ),
    );
    const ms = Math.round(performance.now() - started);
    const tally = new Map<string, number>();
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.errors).toBeUndefined();
      tally.set(answer.typename!, (tally.get(answer.typename!) ?? 0) + 1);
    }
    // Losers are typed: "already confirmed", "schools missing", or an amendment changing nothing.
    for (const name of tally.keys()) {
      expect(name).toMatch(/^(Mutation\w+Success|ConflictError|ValidationError)$/);
    }

    // Converge: the chain confirms once more if an amendment came last, then the ledger must be
    // exactly what the rules say about the attendance as it now stands.
    await op.school();
    await op.office();
    const { rows: check } = await sql<{
      enrollment_id: number;
      present: number;
      status: string;
      net: number;
      awards: number;
    }>`select e.id as enrollment_id, e.status,
         (select count(*)::int from attendance a where a.enrollment_id = e.id and a.status = 'present') as present,
         (select coalesce(sum(hours), 0)::float8 from credit_ledger l where l.enrollment_id = e.id) as net,
         (select count(*)::int from credit_ledger l where l.enrollment_id = e.id and l.kind = 'award') as awards
       from enrollments e where e.activity_id = ${activity.id} order by e.id`.execute(fx.db);
    for (const row of check) {
      const completes = row.present === sessions.length;
      expect(row.awards).toBe(1);
      expect(row.status).toBe(completes ? 'completed' : 'not_completed');
      expect(row.net).toBe(completes ? 8 : 0);
    }
    const { rows: standing } = await sql<{
      n: number;
    }>`select count(*)::int as n from confirmations where activity_id = ${activity.id} and level = 'office' and superseded_at is null`.execute(
      fx.db,
    );
    expect(standing[0]!.n).toBe(1);
    console.info(
      `crediting-concurrency mixed race: ${calls} concurrent calls (25 confirmRoster, 25 confirmSchoolAttendance, 50 amendAttendance) in ${ms} ms → ` +
        [...tally.entries()].map(([k, v]) => `${k} ${v}`).join(', ') +
        `; after converging, ${check.filter((r) => r.net === 8).length} of ${people} credited, ledger equal to the rules for all ${people}`,
    );
  }, 180_000);

  // Issue 7, point 5: the same guarantee at ten times the load.
  it('1,000 concurrent confirmRoster calls still write exactly one award per enrollment', async () => {
    const world = await fx.world();
    const schoolAdmin = await server.as(await fx.account('school_admin', world.school));
    const office = await server.as(await fx.account('office_officer', world.office));
    const activity = await fx.activity(world.institution, { creditHours: 4, endsOn: '2026-03-02' });
    const session = await fx.session(activity, { sequence: 1, hours: 4 });
    for (let i = 0; i < participants; i += 1) {
      const enrollment = await fx.enrollment(activity, await fx.teacher(world.school));
      await sql`update enrollments set status = 'eligibility_confirmed' where id = ${enrollment.id}`.execute(
        fx.db,
      );
      await fx.db
        .insertInto('attendance')
        .values({
          activity_id: activity.id,
          session_id: session.id,
          enrollment_id: enrollment.id,
          status: 'present',
          minutes: 240,
          source: 'trainer',
        })
        .execute();
    }
    await sql`update activities set status = 'closed' where id = ${activity.id}`.execute(fx.db);
    await schoolAdmin(
      `mutation($input: ConfirmSchoolAttendanceInput!) { confirmSchoolAttendance(input: $input) { __typename } }`,
      { input: { activityId: g('Activity', activity.id) } },
    );
    const thousand = 1000;
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: thousand }, () =>
        office<{ confirmRoster: { __typename: string } }>(
          `mutation($input: ConfirmRosterInput!) { confirmRoster(input: $input) { __typename } }`,
          { input: { activityId: g('Activity', activity.id) } },
        ),
      ),
    );
    const ms = Math.round(performance.now() - started);
    const tally = new Map<string, number>();
    for (const answer of answers) {
      // A serialization failure or deadlock is retried inside the server, never shown.
      expect(answer.status).toBe(200);
      expect(answer.errors).toBeUndefined();
      const name = answer.data!.confirmRoster.__typename;
      tally.set(name, (tally.get(name) ?? 0) + 1);
    }
    expect(tally.get('MutationConfirmRosterSuccess')).toBe(1);
    expect(tally.get('ConflictError')).toBe(thousand - 1);
    const { rows } = await sql<{ awards: number; enrollments: number }>`
      select count(*)::int as awards, count(distinct enrollment_id)::int as enrollments
      from credit_ledger where activity_id = ${activity.id} and kind = 'award'`.execute(fx.db);
    expect(rows[0]).toEqual({ awards: participants, enrollments: participants });
    console.info(
      `crediting-concurrency ×${thousand}: 1 success, ${thousand - 1} ConflictError, ${rows[0]!.awards} awards for ${participants} completed enrollments in ${ms} ms`,
    );
  }, 180_000);
});
