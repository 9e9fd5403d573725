import type { DB } from '@registry/db';
import type { Role } from '@registry/domain';
import type { Kysely } from 'kysely';
import type { Fixtures } from '../../testkit/fixtures';

/**
 * The pieces every area of the authorization matrix shares. Each `*.rows.ts` file beside this
 * one exports `area`: its rows (operation → per role, own and other target → allow or deny) and
 * how to run each operation. authorization-matrix.test.ts loads every such file, so an area adds
 * its operations without touching the others.
 */
export type Target = 'own' | 'other';
export type Outcome = 'allow' | 'deny';
export type Caller = <T = Record<string, unknown>>(
  q: string,
  v?: Record<string, unknown>,
) => Promise<{ data?: T; errors?: Array<{ extensions?: Record<string, unknown> }> }>;

export const roles: Role[] = [
  'platform_admin',
  'office_officer',
  'institution_admin',
  'trainer',
  'school_admin',
  'teacher',
];

/** Database ids of one target: what the caller's role reaches in district A ("own") or B. */
export interface TargetIds {
  activity: number;
  session: number;
  /** The organization the caller's role writes activities for (institution, or school). */
  provider: number;
  /** A draft activity of that provider, with one session. */
  draft: number;
  teacher: number;
  /** The teacher's enrollment in the open activity; it has attendance and a credit award. */
  enrollment: number;
  /** The open session, which has attendance for the teacher. */
  attendedSession: number;
  /** The district, with a requirement policy; its parent city. */
  region: number;
  city: number;
  /** The open activity, whose school confirmed it. */
  confirmedActivity: number;
  /** The district's organizations. */
  office: number;
  institution: number;
  school: number;
  trainer: number;
}

export interface MatrixEnv {
  db: Kysely<DB>;
  fx: Fixtures;
  /** A number never handed out before in this run, for unique codes. */
  nextCode(): number;
}

export type Operation = (caller: Caller, t: TargetIds, env: MatrixEnv) => Promise<Outcome>;

export interface MatrixArea {
  rows: Record<string, Record<Role, [own: Outcome, other: Outcome]>>;
  operations: Record<string, Operation>;
}

/** Global ID as the schema encodes it. */
export const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

/** A mutation payload counts as allowed when it is the success member of its union. */
export const succeeded = (payload: { __typename?: string } | null | undefined) =>
  Boolean(payload?.__typename?.endsWith('Success'));
