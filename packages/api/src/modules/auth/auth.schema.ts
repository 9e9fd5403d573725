import type { Account, Membership } from '@registry/db';
import {
  createAuthSession,
  findAccountForLogin,
  hashSessionToken,
  loginPausedFor,
  recordLoginFailure,
  revokeAuthSession,
  verifyPassword,
} from '@registry/db';
import { z } from 'zod';
import { clearedSessionCookie, sessionCookie } from '../../auth/session-token';
import { audience, builder } from '../../builder';
import { InvalidCredentialsError, TooManyAttemptsError, ValidationError } from '../../errors';
import { OrganizationRef } from '../organizations/organization.schema';
import { TeacherRef } from '../teachers/teacher.schema';
import { TrainerRef } from '../trainers/trainer.schema';
import { parseInput } from '../validation';

const RoleEnum = builder.enumType('Role', {
  description: 'What a membership lets its holder do.',
  values: {
    PLATFORM_ADMIN: { value: 'platform_admin', description: 'Runs the registry; sees everything.' },
    OFFICE_OFFICER: {
      value: 'office_officer',
      description: 'Education office: its region and the regions below.',
    },
    INSTITUTION_ADMIN: {
      value: 'institution_admin',
      description: 'Training institution: its activities.',
    },
    TRAINER: { value: 'trainer', description: 'Teaches sessions; sees the sessions they teach.' },
    SCHOOL_ADMIN: {
      value: 'school_admin',
      description: 'School: its teachers and their enrollments.',
    },
    TEACHER: { value: 'teacher', description: 'A teacher: their own records.' },
  } as const,
});

const MembershipRef = builder.objectRef<Membership>('Membership').implement({
  description: 'A role the account holds, for one organization (none for platform admins).',
  // Only ever reached through the caller's own Viewer.
  extensions: audience.anyone,
  fields: (t) => ({
    role: t.expose('role', { type: RoleEnum, description: 'The role.' }),
    organization: t.field({
      type: OrganizationRef,
      nullable: true,
      description: 'The organization the role acts for; null for platform admins.',
      resolve: (membership, _args, context) =>
        membership.organizationId === null
          ? null
          : context.loaders.organization.load(membership.organizationId),
    }),
  }),
});

const ViewerRef = builder.objectRef<Account>('Viewer').implement({
  description: 'The signed-in account.',
  // Only ever the caller's own account (from `me`, or from `login` before the cookie is set).
  extensions: audience.anyone,
  fields: (t) => ({
    username: t.exposeString('username', { description: 'Login name.' }),
    displayName: t.exposeString('displayName', { description: 'Name shown in the app.' }),
    memberships: t.field({
      type: [MembershipRef],
      description: 'Every role the account holds.',
      resolve: (account) => account.memberships,
    }),
    teacher: t.field({
      type: TeacherRef,
      nullable: true,
      description:
        'The account’s own teacher record; null when the account is not a teacher’s (or holds no teacher membership).',
      // Teacher is for signed-in callers; `login` answers before its session is the caller's.
      authScopes: { authenticated: true },
      resolve: (account, _args, context) =>
        account.teacherId === null ? null : context.loaders.teacher.load(account.teacherId),
    }),
    trainer: t.field({
      type: TrainerRef,
      nullable: true,
      description: 'The account’s own trainer record; null when the account is not a trainer’s.',
      authScopes: { authenticated: true },
      resolve: (account, _args, context) =>
        account.trainerId === null ? null : context.loaders.trainer.load(account.trainerId),
    }),
  }),
});

builder.queryField('me', (t) =>
  t.field({
    type: ViewerRef,
    nullable: true,
    description: 'The signed-in account with its memberships; null when not signed in.',
    authScopes: { public: true },
    resolve: (_root, _args, context) => context.viewer,
  }),
);

const loginInput = z.object({
  username: z
    .string()
    .trim()
    .min(3, 'must be at least 3 characters|至少3个字符')
    .max(64, 'must be at most 64 characters|最多64个字符'),
  password: z
    .string()
    .min(1, 'must not be empty|不能为空')
    .max(200, 'must be at most 200 characters|最多200个字符'),
  issueToken: z.boolean().default(false),
});

const LoginInput = builder.inputType('LoginInput', {
  description:
    'Credentials. The session comes back as an HttpOnly cookie, and as a bearer token when asked.',
  fields: (t) => ({
    username: t.string({ description: 'Login name (case-insensitive).' }),
    password: t.string({ description: 'Password.' }),
    issueToken: t.boolean({
      required: false,
      description:
        'API clients: also return the session as a bearer token. The SPA leaves this off.',
    }),
  }),
});

interface LoginResult {
  viewer: Account;
  token: string | null;
  expiresAt: Date;
}

const LoginPayload = builder.objectRef<LoginResult>('LoginPayload').implement({
  // Directory and sign-in data: its root fields decide who reaches it.
  extensions: audience.anyone,
  description: 'A new session.',
  fields: (t) => ({
    viewer: t.field({
      type: ViewerRef,
      description: 'Who is now signed in.',
      resolve: (r) => r.viewer,
    }),
    token: t.exposeString('token', {
      nullable: true,
      description: 'Bearer token for `Authorization: Bearer …`, only when issueToken was true.',
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When the session ends.' }),
  }),
});

builder.mutationField('login', (t) =>
  t.field({
    type: LoginPayload,
    description: 'Signs in with username and password.',
    authScopes: { public: true },
    errors: { types: [ValidationError, InvalidCredentialsError, TooManyAttemptsError] },
    args: { input: t.arg({ type: LoginInput, description: 'Credentials.' }) },
    resolve: async (_root, args, context) => {
      const input = parseInput(loginInput, args.input);
      const pause = await loginPausedFor(
        context.db,
        input.username,
        context.clientAddress,
        loginThrottle,
      );
      if (pause.paused) throw new TooManyAttemptsError(pause.retryAfterSeconds);
      const account = await findAccountForLogin(context.db, input.username);
      // Verify against a fixed hash when the account is unknown so timing does not tell.
      const valid = await verifyPassword(
        account?.passwordHash ?? unknownAccountHash,
        input.password,
      );
      if (!account || account.disabled || !valid) {
        await recordLoginFailure(context.db, input.username, context.clientAddress);
        throw new InvalidCredentialsError();
      }
      const { token, expiresAt } = await createAuthSession(context.db, account.id);
      context.responseCookies.push(sessionCookie(token, expiresAt, context.secureCookies));
      const { passwordHash: _hash, disabled: _disabled, ...viewer } = account;
      return { viewer, token: input.issueToken ? token : null, expiresAt };
    },
  }),
);

builder.mutationField('logout', (t) =>
  t.boolean({
    description: 'Ends the current session (cookie or bearer token). True when one was ended.',
    authScopes: { public: true },
    resolve: async (_root, _args, context) => {
      context.responseCookies.push(clearedSessionCookie(context.secureCookies));
      if (!context.sessionToken) return false;
      await revokeAuthSession(context.db, context.sessionToken);
      context.sessions.forget(hashSessionToken(context.sessionToken));
      return true;
    },
  }),
);

/**
 * Guessing is paused after 5 failures for one account name or 50 from one address within
 * 15 minutes; the counters live in the database so every replica sees them.
 */
const loginThrottle = { perAccount: 5, perAddress: 50, windowMinutes: 15 };

/** argon2id hash of a random password nobody knows, for constant-time misses. */
const unknownAccountHash =
  '$argon2id$v=19$m=19456,t=2,p=1$xH8H/GAFSMg9gndkQxRbrw$BUZ3f3BOsffLa5TJAVTG3EWEsuUW6Y3u0QObPeI0W9E';
