import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * No N+1: the number of SQL statements a nested query costs must not grow with the page size.
 * The server reports the count of each request in the x-sql-statements header.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let token: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const fx = new Fixtures(database.db);
  const world = await fx.world();
  const trainers = [await fx.trainer(world.institution), await fx.trainer(world.institution)];
  const teachers = [world.teacher];
  for (let i = 0; i < 11; i += 1) teachers.push(await fx.teacher(world.school));
  for (let a = 0; a < 110; a += 1) {
    const activity = await fx.activity(world.institution, {
      startsOn: '2026-05-01',
      endsOn: '2026-05-02',
    });
    const enrollments = await database.db
      .insertInto('enrollments')
      .values(
        teachers.map((t) => ({
          activity_id: activity.id,
          teacher_id: t.id,
          school_id: t.school_id,
          source: 'school',
        })),
      )
      .returning(['id'])
      .execute();
    for (let s = 1; s <= 3; s += 1) {
      const session = await fx.session(activity, { sequence: s });
      await database.db
        .insertInto('session_trainers')
        .values(trainers.map((t) => ({ session_id: session.id, trainer_id: t.id })))
        .execute();
      await database.db
        .insertInto('attendance')
        .values(
          enrollments.map((e) => ({
            activity_id: activity.id,
            session_id: session.id,
            enrollment_id: e.id,
            status: 'present',
            minutes: 90,
            source: 'trainer',
          })),
        )
        .execute();
    }
  }
  // Every teacher is awarded every activity: a transcript of 110 entries each.
  await database.db
    .insertInto('credit_ledger')
    .columns([
      'teacher_id',
      'kind',
      'activity_id',
      'enrollment_id',
      'category',
      'hours',
      'earned_on',
    ])
    .expression((eb) =>
      eb
        .selectFrom('enrollments')
        .select([
          'teacher_id',
          sql<string>`'award'`.as('kind'),
          'activity_id',
          'id',
          sql<string>`'professional'`.as('category'),
          sql<number>`6`.as('hours'),
          sql<string>`'2026-05-02'`.as('earned_on'),
        ]),
    )
    .execute();
  // Every statement a request sends with the process's reference rows not yet read: kept, the
  // first of two requests would read the categories and the second not (decision 0023).
  server = await startTestServer(database, { REFERENCE_CACHE: 'off' });
  const account = await fx.account('platform_admin', null);
  const login = await server.graphql<{ login: { data: { token: string } } }>(
    `mutation($input: LoginInput!) { login(input: $input) { ... on MutationLoginSuccess { data { token } } } }`,
    { input: { username: account.username, password: account.password, issueToken: true } },
  );
  token = login.data!.login.data.token;
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

async function statementsFor(query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: unknown };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  const header = response.headers.get('x-sql-statements');
  expect(header, 'x-sql-statements header').not.toBeNull();
  return Number(header);
}

const activitiesSessionsTrainers = /* GraphQL */ `
  query ($first: Int!) {
    activities(first: $first) {
      edges {
        node {
          title
          provider {
            name
            region {
              name
            }
          }
          category {
            nameZh
          }
          sessions {
            title
            trainers {
              name
              kind
            }
          }
        }
      }
    }
  }
`;

const attendanceTeacherSchool = /* GraphQL */ `
  query ($first: Int!) {
    activities(first: $first) {
      edges {
        node {
          title
          sessions {
            title
            attendance(first: 5) {
              totalCount
              edges {
                node {
                  status
                  minutes
                  teacher {
                    name
                    nationalId
                    school {
                      name
                      region {
                        name
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

const roster = /* GraphQL */ `
  query ($first: Int!) {
    activities(first: 20) {
      edges {
        node {
          title
          enrollments(first: $first) {
            totalCount
            edges {
              node {
                status
                attendanceLocked
                teacher {
                  name
                  school {
                    name
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

// The fields the people screens added (decision 0012): each is one batched statement per level.
const peopleFields = /* GraphQL */ `
  query ($first: Int!) {
    activities(first: $first) {
      edges {
        node {
          sessions {
            activity {
              title
            }
            attendance(first: 5) {
              edges {
                node {
                  locked
                }
              }
            }
          }
        }
      }
    }
    enrollments(first: $first, filter: { status: [REGISTERED] }) {
      totalCount
      edges {
        node {
          activity {
            title
          }
          teacher {
            name
          }
        }
      }
    }
    trainers(first: $first) {
      totalCount
      edges {
        node {
          name
          organization {
            name
          }
        }
      }
    }
  }
`;

const transcripts = /* GraphQL */ `
  query Transcripts($first: Int!) {
    teachers(first: $first) {
      edges {
        node {
          name
          creditHours
          creditEntries(first: 50) {
            edges {
              node {
                hours
                category {
                  code
                }
                activity {
                  title
                  provider {
                    name
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

describe('statements per request', () => {
  it('activities → sessions → trainers costs the same at page size 10 and 100', async () => {
    const at10 = await statementsFor(activitiesSessionsTrainers, { first: 10 });
    const at100 = await statementsFor(activitiesSessionsTrainers, { first: 100 });
    console.info(`activities → sessions → trainers: ${at10} statements at 10, ${at100} at 100`);
    expectSameCost(at10, at100);
    // activities with their providers + regions + categories + sessions with their trainers
    // (one statement: the selection asks for trainers) + the providers' organizations a page
    // did not bring; the session is cached by now
    expect(at100).toBeLessThanOrEqual(5);
  });

  it('activities → sessions → attendance → teacher → school costs the same at page size 10 and 100', async () => {
    const at10 = await statementsFor(attendanceTeacherSchool, { first: 10 });
    const at100 = await statementsFor(attendanceTeacherSchool, { first: 100 });
    console.info(
      `activities → sessions → attendance → teacher → school: ${at10} statements at 10, ${at100} at 100`,
    );
    expectSameCost(at10, at100);
    // activities + sessions + attendance pages (each record's teacher read with it) + their
    // counts + teachers with their schools (one join) + regions; the session is cached by now
    expect(at100).toBeLessThanOrEqual(6);
  });

  it('a roster of 50 costs the same as a roster of 5', async () => {
    const at5 = await statementsFor(roster, { first: 5 });
    const at50 = await statementsFor(roster, { first: 50 });
    console.info(
      `activities(20) → enrollments → teacher → school: ${at5} statements at 5, ${at50} at 50`,
    );
    expectSameCost(at5, at50);
    // activities + enrollment pages + their counts + locks + teachers with their schools
    expect(at50).toBeLessThanOrEqual(5);
  });

  it('session → activity, attendance → locked, enrollments and trainers cost the same at 10 and 100', async () => {
    const at10 = await statementsFor(peopleFields, { first: 10 });
    const at100 = await statementsFor(peopleFields, { first: 100 });
    console.info(`people fields: ${at10} statements at 10, ${at100} at 100`);
    expectSameCost(at10, at100);
    // session lookup (2) + activities + sessions + attendance page + locks + enrollments + count
    // + their activities + teachers + trainers + count + organizations
    expect(at100).toBeLessThanOrEqual(13);
  });

  it('teachers → credit entries → activity → provider costs the same for 3 teachers and 12', async () => {
    const at3 = await statementsFor(transcripts, { first: 3 });
    const at12 = await statementsFor(transcripts, { first: 12 });
    console.info(
      `teachers → credit entries → activity → provider: ${at3} statements at 3, ${at12} at 12`,
    );
    expectSameCost(at3, at12);
    // The teachers (with their schools), the ledgers with their activities and providers, the
    // categories: the activities are not a statement of their own.
    expect(at12).toBeLessThanOrEqual(3);
  });
});

/**
 * The same number of statements at a small and a large page: no statement per row. One apart
 * is allowed: list pages hand their rows' providers to the organization loader, and when every
 * organization one of the two pages needs is among them, that loader has nothing left to fetch
 * and skips its statement — at either size, depending on the data. A statement per row would
 * be tens apart.
 */
function expectSameCost(small: number, large: number): void {
  expect(Math.abs(large - small)).toBeLessThanOrEqual(1);
}
