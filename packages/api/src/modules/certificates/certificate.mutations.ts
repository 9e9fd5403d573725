import {
  holdsCertificatesOf,
  issueCompletionCertificate,
  issueTranscriptCertificate,
  lockCertificate,
  nobody,
  revokeCertificate,
  type Certificate,
  type CertificateRecord,
  type Visibility,
} from '@registry/db';
import type { Kysely } from 'kysely';
import type { DB } from '@registry/db';
import { builder } from '../../builder';
import { auditChange } from '../audit';
import type { Context } from '../../context';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type Localized,
} from '../../errors';
import { CertificateRef } from '../credits/credit.schema';
import { localIdOf } from '../ids';
import { bilingual } from '../validation';

/**
 * Issuing and revoking certificates. Issuing is idempotent: asking again answers the
 * certificate already issued. Certificates belong to the teacher's side (the teacher, their
 * school, the education offices above it); revoking is the office's.
 */

function invalidId(field: string, what: string): ValidationError {
  return new ValidationError([
    { path: ['input', field], localized: bilingual(`is not a valid ${what} ID|不是有效的ID`) },
  ]);
}

async function audit(
  context: Context,
  trx: Kysely<DB>,
  action: string,
  before: CertificateRecord | null,
  after: CertificateRecord,
) {
  await auditChange(context, trx, action, 'certificate', after.id, before, after);
}

/** The teacher, visible to the caller as one whose certificates they hold; else a typed error. */
async function ownerCheck(context: Context, teacherId: number) {
  if (!(await holdsCertificatesOf(context.db, context.visibility, teacherId))) {
    throw new ForbiddenError(
      bilingual(
        'Only the teacher, their school and the education offices above it handle their certificates.|仅教师本人、所在学校及上级教育行政部门可办理其证书。',
      ),
    );
  }
}

/** Why an enrollment gets no (fresh) completion certificate, for the teacher and the school. */
function refusal(reason: 'NO_AWARD' | 'AWARD_REVOKED' | 'CERTIFICATE_REVOKED'): Localized {
  switch (reason) {
    case 'NO_AWARD':
      return bilingual(
        'No credit has been awarded for this enrollment yet.|该报名尚未记入学分，暂不能发证。',
      );
    case 'AWARD_REVOKED':
      return bilingual(
        'The credit award of this enrollment was revoked.|该报名的学分已被撤销，不能发证。',
      );
    case 'CERTIFICATE_REVOKED':
      return bilingual(
        'The certificate of this enrollment was revoked and is not issued again; ask the education office.|该报名的证书已被撤销，不再重新发放，请联系教育行政部门。',
      );
    default: {
      const unexpected: never = reason;
      throw new Error(`unknown refusal ${String(unexpected)}`);
    }
  }
}

const IssueTranscriptInput = builder.inputType('IssueTranscriptInput', {
  description: 'Whose transcript, for which requirement cycle.',
  fields: (t) => ({
    teacherId: t.id({ description: 'Global ID of the teacher.' }),
    policyId: t.id({
      description: 'Global ID of a requirement policy that binds the teacher’s school.',
    }),
  }),
});

builder.mutationField('issueTranscript', (t) =>
  t.field({
    type: CertificateRef,
    description:
      'The teacher’s transcript certificate for one requirement cycle, issued now if none that still verifies exists. Its PDF shows the ledger sum of the cycle as of the day it is printed.',
    authScopes: { authenticated: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError] },
    args: { input: t.arg({ type: IssueTranscriptInput, description: 'Teacher and cycle.' }) },
    resolve: async (_root, { input }, context): Promise<Certificate> => {
      const teacherId = localIdOf(String(input.teacherId), 'Teacher');
      if (teacherId === null) throw invalidId('teacherId', 'teacher');
      const policyId = localIdOf(String(input.policyId), 'RequirementPolicy');
      if (policyId === null) throw invalidId('policyId', 'requirement policy');
      const teacher = await context.loaders.teacher.load(teacherId);
      if (!teacher) throw new NotFoundError(bilingual('The teacher|该教师'));
      await ownerCheck(context, teacherId);
      const school = await context.loaders.organization.load(teacher.schoolId);
      const binding = school ? await context.loaders.policiesForRegion.load(school.regionId) : [];
      if (!binding.some((policy) => policy.id === policyId)) {
        throw new ValidationError([
          {
            path: ['input', 'policyId'],
            localized: bilingual(
              'is not a requirement policy of the teacher’s region|不是该教师所在地区的学分要求',
            ),
          },
        ]);
      }
      return context.db.transaction().execute(async (trx) => {
        const { certificate, created } = await issueTranscriptCertificate(trx, teacherId, policyId);
        if (created) await audit(context, trx, 'certificate.issued', null, certificate);
        return certificate;
      });
    },
  }),
);

const IssueCompletionCertificateInput = builder.inputType('IssueCompletionCertificateInput', {
  description: 'The completed enrollment to certify.',
  fields: (t) => ({
    enrollmentId: t.id({ description: 'Global ID of an enrollment with a credit award.' }),
  }),
});

builder.mutationField('issueCompletionCertificate', (t) =>
  t.field({
    type: CertificateRef,
    description:
      'The completion certificate of an enrollment whose credit was awarded, issued now if it has none (one per enrollment, whatever retries happen). A conflict when no credit was awarded, or when the certificate or its award was revoked: a revoked certificate is not issued again.',
    authScopes: { authenticated: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: {
      input: t.arg({ type: IssueCompletionCertificateInput, description: 'The enrollment.' }),
    },
    resolve: async (_root, { input }, context): Promise<Certificate> => {
      const enrollmentId = localIdOf(String(input.enrollmentId), 'Enrollment');
      if (enrollmentId === null) throw invalidId('enrollmentId', 'enrollment');
      const enrollment = await context.loaders.enrollment.load(enrollmentId);
      if (!enrollment) throw new NotFoundError(bilingual('The enrollment|该报名记录'));
      await ownerCheck(context, enrollment.teacherId);
      return context.db.transaction().execute(async (trx) => {
        const outcome = await issueCompletionCertificate(trx, enrollmentId);
        if (!outcome.ok) throw new ConflictError(refusal(outcome.reason));
        if (outcome.created) {
          await audit(context, trx, 'certificate.issued', null, outcome.certificate);
        }
        return outcome.certificate;
      });
    },
  }),
);

const RevokeCertificateInput = builder.inputType('RevokeCertificateInput', {
  description: 'The certificate to revoke and why.',
  fields: (t) => ({
    certificateId: t.id({ description: 'Global ID of the certificate.' }),
    reason: t.string({ description: 'Why, 1 to 1000 characters; kept in the record.' }),
  }),
});

builder.mutationField('revokeCertificate', (t) =>
  t.field({
    type: CertificateRef,
    description:
      'Revokes a certificate: its code then verifies as revoked and its credential’s status list names it. For the education offices above the teacher’s school and platform admins.',
    authScopes: { officeOfficer: true, platformAdmin: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: {
      input: t.arg({ type: RevokeCertificateInput, description: 'Certificate and reason.' }),
    },
    resolve: async (_root, { input }, context): Promise<Certificate> => {
      const id = localIdOf(String(input.certificateId), 'Certificate');
      if (id === null) throw invalidId('certificateId', 'certificate');
      const reason = input.reason.trim();
      if (reason.length < 1 || reason.length > 1000) {
        throw new ValidationError([
          {
            path: ['input', 'reason'],
            localized: bilingual('must be 1 to 1000 characters|须为 1 至 1000 个字符'),
          },
        ]);
      }
      const visible = await context.loaders.certificate.load(id);
      if (!visible) throw new NotFoundError(bilingual('The certificate|该证书'));
      const asOffice: Visibility = {
        ...nobody,
        all: context.visibility.all,
        officeRegionPaths: context.visibility.officeRegionPaths,
      };
      if (!(await holdsCertificatesOf(context.db, asOffice, visible.teacherId))) {
        throw new ForbiddenError();
      }
      return context.db.transaction().execute(async (trx) => {
        const before = await lockCertificate(trx, id);
        if (!before) throw new NotFoundError(bilingual('The certificate|该证书'));
        if (before.revokedAt) {
          throw new ConflictError(bilingual('It is already revoked.|该证书已被撤销。'));
        }
        const after = await revokeCertificate(trx, id, reason);
        await audit(context, trx, 'certificate.revoked', before, after);
        context.loaders.certificate.clear(id).prime(id, after);
        return after;
      });
    },
  }),
);
