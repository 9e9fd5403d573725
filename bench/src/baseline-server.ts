/**
 * The physical baseline: the SQL statements the gateway issues for W1–W4 (copied from what it
 * sends, sign-in lookups included, same parameters, same order, run concurrently where the
 * gateway's dataloaders run them in the same tick), through `pg` in a bare node:http server
 * that returns the same JSON, byte for byte (the bench checks it before it measures). No GraphQL
 * parsing, validation, authorization rules or serializers: what is left is what any server must
 * pay for the answer — the data, and for W4 the domain's progress rules over it.
 *
 * `POST /W1 {"id": 1}` etc.; `Authorization: Bearer <token>` as for the gateway. Answers carry
 * x-sql-statements like the gateway's.
 *
 * Usage: tsx baseline-server.ts <database-url> <port> <pool size>
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import pg from 'pg';
import type { Selectable } from 'kysely';
import { toPolicy, type RequirementPolicies } from '@registry/db';
import {
  ledgerProgress,
  todayInChina,
  type LedgerEntryKind,
  type ProgressLine,
  type RequirementPolicy,
} from '@registry/domain';
import { globalId } from './workloads';

const [url, portText, poolText] = process.argv.slice(2);
// The gateway's session settings (packages/db/src/database.ts): no parallel workers.
const pool = new pg.Pool({
  connectionString: url,
  max: Number(poolText ?? 10),
  options: '-c max_parallel_workers_per_gather=0',
});
// The gateway reads numeric and int8 as numbers; so does the baseline.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, Number);
pg.types.setTypeParser(pg.types.builtins.INT8, Number);
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

type Row = Record<string, unknown>;

/**
 * The gateway sends each statement it compiles once as a named prepared statement (decision
 * 0021) and its activity list, so the baseline names every one of those too: `t.q` for those,
 * `t.unnamed` for the rest (sign-in). Names as the gateway's: one per text.
 */
const statementNames = new Map<string, string>();
const nameOf = (text: string) => {
  let name = statementNames.get(text);
  if (!name) {
    name = `b_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
};

/**
 * The gateway reads one id as `= $1::int4`, up to 100 as `= any((select $1::int4[])::int4[])`
 * and more as `= any($1::int4[])` (compiledByIds and its fewIds), so PostgreSQL can keep one
 * plan for the first two; the baseline sends the same text for the same number of ids.
 */
const anyIds = '= any($1::int4[])';
const fewIds = 100;
function asGatewaySends(text: string, values: unknown[]): [string, unknown[]] {
  const [first, ...rest] = values;
  if (typeof first !== 'string' || !text.includes(anyIds)) return [text, values];
  // Ids as an array literal: as many as its commas plus one.
  const count = first === '{}' ? 0 : first.split(',').length;
  if (count === 1) return [text.replace(anyIds, '= $1::int4'), [first.slice(1, -1), ...rest]];
  if (count <= fewIds) return [text.replace(anyIds, '= any((select $1::int4[])::int4[])'), values];
  return [text, values];
}

/**
 * Like the gateway's reference cache (decision 0023): categories and policies read once are
 * kept, and only the missing ones are read. The bench changes neither table, so the baseline
 * needs no change feed.
 */
const categoryRows = new Map<unknown, Row>();
const policyRows = new Map<unknown, Row>();
async function kept<K>(
  rows: Map<unknown, Row>,
  keys: K[],
  read: (missing: K[]) => Promise<Row[]>,
): Promise<Row[]> {
  const missing = keys.filter((key) => !rows.has(key));
  if (missing.length) {
    for (const row of await read(missing)) rows.set(row.code ?? row.id, row);
  }
  return keys.flatMap((key) => (rows.has(key) ? [rows.get(key)!] : []));
}

class Tally {
  statements = 0;
  async q(sent: string, parameters: unknown[]): Promise<Row[]> {
    this.statements += 1;
    const [text, values] = asGatewaySends(sent, parameters);
    return (await pool.query({ name: nameOf(text), text, values })).rows as Row[];
  }
  async unnamed(text: string, values: unknown[]): Promise<Row[]> {
    this.statements += 1;
    return (await pool.query(text, values)).rows as Row[];
  }
}

/** Ids as one int4[] parameter in its text form, as the gateway sends them (intArray). */
const ints = (ids: readonly number[]) => `{${ids.join(',')}}`;

/**
 * Like the gateway's session cache (decision 0017): a token seen in the last 10 s
 * (SESSION_CACHE_SECONDS' default) is not looked up again. The bench changes no session, so
 * the baseline needs no change feed; the gateway's costs it nothing per request either.
 */
const sessionCacheMs = 10_000;
const sessions = new Map<string, { userId: number; until: number }>();

async function signIn(t: Tally, token: string): Promise<number> {
  const hash = createHash('sha256').update(token).digest('hex');
  const cached = sessions.get(hash);
  if (cached && cached.until > Date.now()) return cached.userId;
  const [user] = await t.unnamed(
    `select "auth_sessions"."expires_at", "user_accounts"."id", "user_accounts"."username", "user_accounts"."display_name", "user_accounts"."teacher_id", "user_accounts"."trainer_id", coalesce((
        select json_agg(json_build_array(m.role, m.organization_id, o.kind, o.name, r.path) order by m.id)
        from memberships m
        left join organizations o on o.id = m.organization_id
        left join regions r on r.id = o.region_id
        where m.user_id = user_accounts.id), '[]'::json) as "memberships" from "auth_sessions" inner join "user_accounts" on "user_accounts"."id" = "auth_sessions"."user_id" where "auth_sessions"."token_hash" = $1 and "auth_sessions"."revoked_at" is null and "auth_sessions"."expires_at" > $2 and "user_accounts"."disabled_at" is null`,
    [hash, new Date()],
  );
  if (!user) throw new Error('not signed in');
  const until = Math.min(Date.now() + sessionCacheMs, (user.expires_at as Date).getTime());
  sessions.set(hash, { userId: user.id as number, until });
  return user.id as number;
}

const upper = (v: unknown) => String(v).toUpperCase();
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

/**
 * The ledger loader's statement when the transcript's entries ask for their activities: each
 * entry with its activity's and that activity's provider's columns (prefixed).
 */
const ledgerWithActivities = `select "credit_ledger".*, "activities"."code" as "activity_code", "activities"."title" as "activity_title", "activities"."description" as "activity_description", "activities"."provider_id" as "activity_provider_id", "activities"."region_id" as "activity_region_id", "activities"."category" as "activity_category", "activities"."level" as "activity_level", "activities"."delivery_mode" as "activity_delivery_mode", "activities"."credit_hours" as "activity_credit_hours", "activities"."capacity" as "activity_capacity", "activities"."self_enrollment" as "activity_self_enrollment", "activities"."eligibility_rules" as "activity_eligibility_rules", "activities"."completion_rules" as "activity_completion_rules", "activities"."status" as "activity_status", "activities"."rejection_reason" as "activity_rejection_reason", "activities"."starts_on" as "activity_starts_on", "activities"."ends_on" as "activity_ends_on", "activities"."created_by" as "activity_created_by", "activities"."approved_by" as "activity_approved_by", "activities"."approved_at" as "activity_approved_at", "activities"."created_at" as "activity_created_at", "activities"."updated_at" as "activity_updated_at", "activities"."version" as "activity_version", "provider"."kind" as "provider_kind", "provider"."code" as "provider_code", "provider"."name" as "provider_name", "provider"."region_id" as "provider_region_id", "provider"."stages" as "provider_stages", "provider"."is_rural" as "provider_is_rural" from "credit_ledger" left join "activities" on "activities"."id" = "credit_ledger"."activity_id" and true left join "organizations" as "provider" on "provider"."id" = "activities"."provider_id" where "credit_ledger"."teacher_id" = any($1::int4[]) and true order by "credit_ledger"."id"`;

/** The activity loader's statement: activities with their providers' columns (prefixed). */
const activitiesWithProviders = `select "activities".*, "provider"."kind" as "provider_kind", "provider"."code" as "provider_code", "provider"."name" as "provider_name", "provider"."region_id" as "provider_region_id", "provider"."stages" as "provider_stages", "provider"."is_rural" as "provider_is_rural" from "activities" inner join "organizations" as "provider" on "provider"."id" = "activities"."provider_id" where "activities"."id" = any($1::int4[]) and true`;

/** The teacher loader's statement: teachers with their schools' columns (prefixed). */
const teachersWithSchools = `select "teachers".*, "school"."kind" as "school_kind", "school"."code" as "school_code", "school"."name" as "school_name", "school"."region_id" as "school_region_id", "school"."stages" as "school_stages", "school"."is_rural" as "school_is_rural" from "teachers" inner join "organizations" as "school" on "school"."id" = "teachers"."school_id" where "teachers"."id" = any($1::int4[]) and true`;

/** An activity's scalar fields in the order the documents ask for them (W2 asks no capacity). */
const activityFields = (a: Row, capacity = false) => ({
  id: globalId('Activity', a.id as number),
  code: a.code,
  title: a.title,
  status: upper(a.status),
  level: upper(a.level),
  deliveryMode: upper(a.delivery_mode),
  creditHours: a.credit_hours,
  ...(capacity ? { capacity: a.capacity } : {}),
  startsOn: a.starts_on,
  endsOn: a.ends_on,
});

/**
 * Policies as the domain's, made by the gateway's own toPolicy once per policy (the gateway's
 * reference cache keeps them parsed too).
 */
const policies = new Map<number, RequirementPolicy>();
function policyOf(row: Row): RequirementPolicy {
  const id = row.id as number;
  let policy = policies.get(id);
  if (!policy)
    policies.set(id, (policy = toPolicy(row as unknown as Selectable<RequirementPolicies>)));
  return policy;
}

/**
 * The gateway's progress for one cycle from the teacher's ledger, by the same domain function
 * (teacherProgress without the enrollments the transcript does not ask for), as of today.
 */
function progressOf(ledger: Row[], policy: RequirementPolicy) {
  const entries = ledger.map((r) => ({
    kind: r.kind as LedgerEntryKind,
    hours: r.hours as number,
    category: r.category as string,
    policyId: r.policy_id as number | null,
    earnedOn: r.earned_on as string,
  }));
  const { entryCount, totals, progress } = ledgerProgress(entries, policy, todayInChina());
  const line = (l: ProgressLine) => ({
    required: l.required,
    earned: l.earned,
    counted: l.counted,
    remaining: l.remaining,
    status: upper(l.status),
  });
  return {
    asOf: progress.asOf,
    entryCount,
    awardedHours: totals.byKind.award,
    adjustedHours: totals.byKind.adjustment,
    revokedHours: totals.byKind.revocation,
    total: line(progress.total),
    categories: progress.categories.map((c) => ({ code: c.category, ...line(c) })),
  };
}

const handlers: Record<string, (t: Tally, input: Row) => Promise<unknown>> = {
  async W1(t, { id }) {
    const [a] = await t.q(activitiesWithProviders, [ints([id as number])]);
    if (!a) return { node: null };
    return {
      node: {
        ...activityFields(a, true),
        provider: { id: globalId('Organization', a.provider_id as number), name: a.provider_name },
      },
    };
  },

  async W2(t, { region }) {
    const [r] = await t.q(`select * from "regions" where "id" = any($1::int4[])`, [
      ints([region as number]),
    ]);
    // The page joins its providers, as the gateway's findActivities does.
    const rows = await t.q(
      `select "activities".*, "provider"."kind" as "provider_kind", "provider"."code" as "provider_code", "provider"."name" as "provider_name", "provider"."region_id" as "provider_region_id", "provider"."stages" as "provider_stages", "provider"."is_rural" as "provider_is_rural" from "activities" inner join "organizations" as "provider" on "provider"."id" = "activities"."provider_id" where true and "activities"."status" in ($1) and "activities"."region_id" in (select "regions"."id" from "regions" where "regions"."path" like $2) order by "activities"."starts_on" desc, "activities"."id" desc limit $3`,
      ['credited', `${r!.path as string}%`, 51],
    );
    const page = rows.slice(0, 50);
    const cursor = (a: Row) =>
      Buffer.from(JSON.stringify([a.starts_on, a.id])).toString('base64url');
    return {
      activities: {
        edges: page.map((a) => ({
          cursor: cursor(a),
          node: {
            ...activityFields(a),
            provider: {
              id: globalId('Organization', a.provider_id as number),
              name: a.provider_name,
            },
          },
        })),
        pageInfo: {
          hasNextPage: rows.length > 50,
          endCursor: page.length ? cursor(page[page.length - 1]!) : null,
        },
      },
    };
  },

  async W3(t, { id }) {
    const [a] = await t.q(activitiesWithProviders, [ints([id as number])]);
    if (!a) return { node: null };
    // The sessions come with their trainers as JSON arrays (the gateway looks ahead: the
    // document asks for trainers), so the trainers need no statement of their own.
    const sessions = await t.q(
      `select "id", "activity_id", "sequence", "title", "mode", "starts_at", "ends_at", "hours", "location", "online_min_minutes", (select coalesce(json_agg(json_build_array(t.id, t.name, t.kind, t.title, t.organization_id, t.teacher_id) order by array_position(array['lead', 'assistant', 'tutor'], st.role), t.id), '[]'::json) from session_trainers st join trainers t on t.id = st.trainer_id where st.session_id = sessions.id) as "trainers" from "sessions" where "activity_id" = any($1::int4[]) and true order by "activity_id", "sequence"`,
      [ints([id as number])],
    );
    const sessionIds = sessions.map((s) => s.id as number);
    const attendance =
      sessionIds.length === 0
        ? []
        : await t.q(
            `select "a".* from unnest((select $1::int4[])) as s(session_id) inner join lateral (select "attendance".*, (select "enrollments"."teacher_id" from "enrollments" where "enrollments"."id" = "attendance"."enrollment_id" and true) as "visible_teacher_id" from "attendance" where "attendance"."session_id" = "s"."session_id" and true order by "attendance"."id" limit $2) as "a" on true order by "a"."session_id", "a"."id"`,
            [ints(sessionIds), 51],
          );
    const teacherIds = [
      ...new Set(
        attendance.map((r) => r.visible_teacher_id as number | null).filter((id) => id !== null),
      ),
    ];
    // Teachers come with their schools' columns (the teacher loader's join).
    const teachers = teacherIds.length ? await t.q(teachersWithSchools, [ints(teacherIds)]) : [];
    const teacherById = new Map(teachers.map((x) => [x.id as number, x]));
    return {
      node: {
        id: globalId('Activity', a.id as number),
        code: a.code,
        title: a.title,
        sessions: sessions.map((s) => ({
          id: globalId('Session', s.id as number),
          sequence: s.sequence,
          title: s.title,
          startsAt: iso(s.starts_at),
          hours: s.hours,
          trainers: (s.trainers as Array<[number, string, string]>).map(([id, name, kind]) => ({
            id: globalId('Trainer', id),
            name,
            kind: upper(kind),
          })),
          attendance: {
            edges: attendance
              .filter((r) => r.session_id === s.id)
              .slice(0, 50)
              .map((r) => {
                const teacher = teacherById.get(r.visible_teacher_id as number);
                return {
                  node: {
                    id: globalId('Attendance', r.id as number),
                    status: upper(r.status),
                    minutes: r.minutes,
                    teacher: teacher
                      ? {
                          id: globalId('Teacher', teacher.id as number),
                          name: teacher.name,
                          school: {
                            id: globalId('Organization', teacher.school_id as number),
                            name: teacher.school_name,
                          },
                        }
                      : null,
                  },
                };
              }),
          },
        })),
      },
    };
  },

  async W4(t, { id, policy }) {
    const [teacher] = await t.q(teachersWithSchools, [ints([id as number])]);
    if (!teacher) return { node: null };
    // Progress asks for ledger-based figures only, so the gateway reads no enrollments, and it
    // sums the ledger the transcript's entries already read, with their activities (the
    // entries ask for them). A caller who sees every teacher needs no second visibility check
    // of the teacher.
    const [entries, bindings] = await Promise.all([
      t.q(ledgerWithActivities, [ints([id as number])]),
      t.q(
        `select "t"."id" as "teacher_id", "p"."id" as "policy_id", length(pr.path) - length(replace(pr.path, '/', '')) - 1 as "depth" from "teachers" as "t" inner join "organizations" as "o" on "o"."id" = "t"."school_id" inner join "regions" as "r" on "r"."id" = "o"."region_id" inner join "regions" as "pr" on r.path like pr.path || '%' inner join "requirement_policies" as "p" on "p"."region_id" = "pr"."id" where "t"."id" = any($1::int4[])`,
        [ints([id as number])],
      ),
    ]);
    const ledger = entries;
    const page = entries.slice(0, 50);
    const categories = [...new Set(ledger.map((r) => r.category as string))];
    const policyIds = [...new Set(bindings.map((b) => b.policy_id as number))];
    const [, policies] = await Promise.all([
      kept(categoryRows, categories, (missing) =>
        t.q(`select * from "credit_categories" where "code" = any($1::text[])`, [missing]),
      ),
      kept(policyRows, policyIds, (missing) =>
        t.q(`select * from "requirement_policies" where "id" = any($1::int4[])`, [ints(missing)]),
      ),
    ]);
    const named = policies.find((p) => p.id === policy);
    // The gateway's answer is the domain's progress against the policy (caps, minimums, the
    // yearly cap, status as of today): the same rules here, or the answers would differ.
    const progress = named ? progressOf(ledger, policyOf(named)) : null;
    return {
      node: {
        id: globalId('Teacher', teacher.id as number),
        name: teacher.name,
        nationalId: teacher.national_id,
        progress,
        creditEntries: {
          edges: page.map((r) => {
            return {
              node: {
                id: globalId('CreditEntry', r.id as number),
                kind: upper(r.kind),
                hours: r.hours,
                earnedOn: r.earned_on,
                category: { code: r.category },
                activity:
                  r.activity_code == null
                    ? null
                    : {
                        id: globalId('Activity', r.activity_id as number),
                        code: r.activity_code,
                        title: r.activity_title,
                      },
              },
            };
          }),
        },
      },
    };
  },
};

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const handler = handlers[(req.url ?? '/').slice(1)];
  if (!handler) {
    res.statusCode = 404;
    res.end('{}');
    return;
  }
  const t = new Tally();
  try {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    await signIn(t, token);
    const data = await handler(t, JSON.parse(Buffer.concat(chunks).toString('utf8')) as Row);
    const body = JSON.stringify({ data });
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'x-sql-statements': String(t.statements),
    });
    res.end(body);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ message: (error as Error).message }] }));
  }
}

const server = createServer((req, res) => void handle(req, res));
server.keepAliveTimeout = 60_000;
server.listen(Number(portText), '127.0.0.1', () => console.log('baseline ready'));
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
