import { createHash, randomBytes } from 'node:crypto';
import type { OrganizationKind, Role } from '@registry/domain';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../generated/database';

export interface Membership {
  role: Role;
  organizationId: number | null;
  organizationKind: OrganizationKind | null;
  organizationName: string | null;
  /** Materialized path of the organization's region, e.g. '/1/4/9/'; null for platform admins. */
  regionPath: string | null;
}

export interface Account {
  id: number;
  username: string;
  displayName: string;
  teacherId: number | null;
  trainerId: number | null;
  memberships: Membership[];
}

export interface AccountWithSecret extends Account {
  passwordHash: string;
  disabled: boolean;
}

async function membershipsOf(db: Kysely<DB>, userIds: readonly number[]) {
  if (userIds.length === 0) return new Map<number, Membership[]>();
  const rows = await db
    .selectFrom('memberships')
    .leftJoin('organizations', 'organizations.id', 'memberships.organization_id')
    .leftJoin('regions', 'regions.id', 'organizations.region_id')
    .select([
      'memberships.user_id',
      'memberships.role',
      'memberships.organization_id',
      'organizations.kind',
      'organizations.name',
      'regions.path',
    ])
    .where('memberships.user_id', 'in', userIds)
    .orderBy('memberships.id')
    .execute();
  const byUser = new Map<number, Membership[]>();
  for (const row of rows) {
    const list = byUser.get(row.user_id) ?? [];
    list.push({
      role: row.role as Role,
      organizationId: row.organization_id,
      organizationKind: (row.kind as OrganizationKind | null) ?? null,
      organizationName: row.name ?? null,
      regionPath: row.path ?? null,
    });
    byUser.set(row.user_id, list);
  }
  return byUser;
}

/** For login only: the account with its password hash, found case-insensitively. */
export async function findAccountForLogin(
  db: Kysely<DB>,
  username: string,
): Promise<AccountWithSecret | null> {
  const row = await db
    .selectFrom('user_accounts')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
    .executeTakeFirst();
  if (!row) return null;
  const memberships = (await membershipsOf(db, [row.id])).get(row.id) ?? [];
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    teacherId: row.teacher_id,
    trainerId: row.trainer_id,
    memberships,
    passwordHash: row.password_hash,
    disabled: row.disabled_at !== null,
  };
}

export const sessionLifetimeHours = 12;

/** Only the SHA-256 of a session token is stored: a leaked table does not leak sessions. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createAuthSession(
  db: Kysely<DB>,
  userId: number,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + sessionLifetimeHours * 3600_000);
  await db
    .insertInto('auth_sessions')
    .values({
      user_id: userId,
      token_hash: hashSessionToken(token),
      created_at: now,
      expires_at: expiresAt,
    })
    .execute();
  return { token, expiresAt };
}

export interface LiveSession {
  account: Account;
  /** When the session ends by itself; a cached copy must not outlive it. */
  expiresAt: Date;
}

/**
 * The session behind a token's hash (`hashSessionToken`) with its account, or null when
 * unknown, expired, revoked or disabled.
 */
export async function findLiveSession(
  db: Kysely<DB>,
  tokenHash: string,
  now = new Date(),
): Promise<LiveSession | null> {
  // One statement: this runs before every signed-in request the session cache cannot answer,
  // so the memberships come along as a json array rather than as a second round trip.
  const row = await db
    .selectFrom('auth_sessions')
    .innerJoin('user_accounts', 'user_accounts.id', 'auth_sessions.user_id')
    .select([
      'auth_sessions.expires_at',
      'user_accounts.id',
      'user_accounts.username',
      'user_accounts.display_name',
      'user_accounts.teacher_id',
      'user_accounts.trainer_id',
      sql<MembershipTuple[]>`coalesce((
        select json_agg(json_build_array(m.role, m.organization_id, o.kind, o.name, r.path) order by m.id)
        from memberships m
        left join organizations o on o.id = m.organization_id
        left join regions r on r.id = o.region_id
        where m.user_id = user_accounts.id), '[]'::json)`.as('memberships'),
    ])
    .where('auth_sessions.token_hash', '=', tokenHash)
    .where('auth_sessions.revoked_at', 'is', null)
    .where('auth_sessions.expires_at', '>', now)
    .where('user_accounts.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return {
    expiresAt: row.expires_at,
    account: {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      teacherId: row.teacher_id,
      trainerId: row.trainer_id,
      memberships: row.memberships.map(([role, organizationId, kind, name, path]) => ({
        role: role as Role,
        organizationId,
        organizationKind: (kind as OrganizationKind | null) ?? null,
        organizationName: name ?? null,
        regionPath: path ?? null,
      })),
    },
  };
}

/** role, organization id, organization kind, organization name, region path. */
type MembershipTuple = [string, number | null, string | null, string | null, string | null];

export async function revokeAuthSession(db: Kysely<DB>, token: string): Promise<void> {
  await db
    .updateTable('auth_sessions')
    .set({ revoked_at: new Date() })
    .where('token_hash', '=', hashSessionToken(token))
    .where('revoked_at', 'is', null)
    .execute();
}

export interface LoginThrottle {
  /** Failures allowed per account name within the window. */
  perAccount: number;
  /** Failures allowed per client address within the window. */
  perAddress: number;
  windowMinutes: number;
}

/** Whether sign-in for this name or from this address is paused, and for how long. */
export async function loginPausedFor(
  db: Kysely<DB>,
  username: string,
  address: string,
  throttle: LoginThrottle,
  now = new Date(),
): Promise<{ paused: boolean; retryAfterSeconds: number }> {
  const since = new Date(now.getTime() - throttle.windowMinutes * 60_000);
  const row = await db
    .selectFrom('login_failures')
    .select((eb) => [
      eb.fn
        .count<string>('id')
        .filterWhere('username_key', '=', username.toLowerCase())
        .as('by_account'),
      eb.fn.count<string>('id').filterWhere('address', '=', address).as('by_address'),
      eb.fn.min('failed_at').as('oldest'),
    ])
    .where('failed_at', '>', since)
    .where((eb) =>
      eb.or([eb('username_key', '=', username.toLowerCase()), eb('address', '=', address)]),
    )
    .executeTakeFirstOrThrow();
  const paused =
    Number(row.by_account) >= throttle.perAccount || Number(row.by_address) >= throttle.perAddress;
  const oldest = row.oldest ? new Date(row.oldest as unknown as string) : now;
  const retryAfterSeconds = paused
    ? Math.max(
        1,
        Math.ceil((oldest.getTime() + throttle.windowMinutes * 60_000 - now.getTime()) / 1000),
      )
    : 0;
  return { paused, retryAfterSeconds };
}

export async function recordLoginFailure(
  db: Kysely<DB>,
  username: string,
  address: string,
): Promise<void> {
  await db
    .insertInto('login_failures')
    .values({ username_key: username.toLowerCase().slice(0, 200), address: address.slice(0, 100) })
    .execute();
}
