import { audience, builder } from '../../builder';
import type { RegistryError } from '../../errors';
import {
  ConflictError,
  ForbiddenError,
  InvalidCredentialsError,
  NotEligibleError,
  NotFoundError,
  TooManyAttemptsError,
  ValidationError,
  type FieldIssue,
  type ReasonView,
} from '../../errors';

export const UserErrorInterface = builder.interfaceRef<RegistryError>('UserError').implement({
  description: 'An expected failure of a mutation. Nothing was changed.',
  // Errors answer the caller about their own request; the mutation's scope already ran.
  extensions: audience.anyone,
  fields: (t) => ({
    code: t.string({
      description:
        'Stable machine-readable code, e.g. VALIDATION_FAILED, NOT_FOUND, FORBIDDEN, CONFLICT.',
      resolve: (error) => error.code,
    }),
    message: t.string({
      description: 'What went wrong, for people, in the language of Accept-Language.',
      resolve: (error, _args, context) => error.localized[context.locale],
    }),
  }),
});

const FieldIssueRef = builder.objectRef<FieldIssue>('FieldIssue').implement({
  description: 'One problem with one input field.',
  extensions: audience.anyone,
  fields: (t) => ({
    path: t.stringList({
      description: 'Path of the field in the input, e.g. ["input", "username"].',
      resolve: (issue) => issue.path,
    }),
    message: t.string({
      description: 'Why the value is refused, for people.',
      resolve: (issue, _args, context) => issue.localized[context.locale],
    }),
  }),
});

function errorType<T extends RegistryError>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  errorClass: new (...args: any[]) => T,
  name: string,
  description: string,
) {
  builder.objectType(errorClass, {
    extensions: audience.anyone,
    name,
    description,
    interfaces: [UserErrorInterface] as never,
    isTypeOf: (value) => value instanceof errorClass,
    fields: () => ({}),
  });
}

builder.objectType(ValidationError, {
  name: 'ValidationError',
  extensions: audience.anyone,
  description: 'Some input fields are not valid; each issue names its field.',
  interfaces: [UserErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({
    issues: t.field({
      type: [FieldIssueRef],
      description: 'Every problem found, not just the first.',
      resolve: (error) => error.issues,
    }),
  }),
});
errorType(NotFoundError, 'NotFoundError', 'The object does not exist or is not visible to you.');
errorType(ForbiddenError, 'ForbiddenError', 'You may see the object but not do this to it.');
errorType(
  ConflictError,
  'ConflictError',
  'The request conflicts with the current state, e.g. a changed version.',
);
errorType(
  InvalidCredentialsError,
  'InvalidCredentialsError',
  'The username or password is wrong (the same answer whether or not the account exists).',
);

/** Shared by the eligibility query and NotEligibleError: a stable code and words for people. */
export const EligibilityReasonRef = builder.objectRef<ReasonView>('EligibilityReason').implement({
  description:
    'One reason a teacher may not take part in an activity, in words a school administrator understands.',
  extensions: audience.anyone,
  fields: (t) => ({
    code: t.string({
      description:
        'Stable code: STAGE_NOT_ELIGIBLE, SUBJECT_NOT_ELIGIBLE, ROLE_TAG_REQUIRED, REGION_NOT_ELIGIBLE, SCHOOL_NOT_ELIGIBLE, LOCALITY_NOT_ELIGIBLE, TOO_FEW_YEARS_OF_SERVICE, TOO_MANY_YEARS_OF_SERVICE, CAPACITY_FULL, SESSIONS_OVERLAP, ALREADY_COMPLETED, ALREADY_ENROLLED, NOT_OPEN_FOR_ENROLLMENT, UNKNOWN_TEACHER, OTHER_SCHOOL.',
      resolve: (reason) => reason.code,
    }),
    message: t.string({
      description: 'The reason in the language of Accept-Language.',
      resolve: (reason, _args, context) => reason.localized[context.locale],
    }),
  }),
});

builder.objectType(NotEligibleError, {
  name: 'NotEligibleError',
  extensions: audience.anyone,
  description: 'The teacher does not meet the activity’s conditions; every reason is listed.',
  interfaces: [UserErrorInterface] as never,
  isTypeOf: (value) => value instanceof NotEligibleError,
  fields: (t) => ({
    reasons: t.field({
      type: [EligibilityReasonRef],
      description: 'Every condition the teacher does not meet.',
      resolve: (error) => error.reasons,
    }),
  }),
});

builder.objectType(TooManyAttemptsError, {
  name: 'TooManyAttemptsError',
  extensions: audience.anyone,
  description: 'Sign-in is paused for this account or address after repeated failures.',
  interfaces: [UserErrorInterface] as never,
  isTypeOf: (value) => value instanceof TooManyAttemptsError,
  fields: (t) => ({
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
      description: 'Seconds until sign-in may be tried again.',
    }),
  }),
});
