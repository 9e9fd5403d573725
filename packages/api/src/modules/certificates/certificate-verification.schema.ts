import { findCertificateFactsByCode } from '@registry/db';
import { GraphQLError } from 'graphql';
import { audience, builder } from '../../builder';
import { CertificateKindEnum } from '../enums';
import {
  normalizeVerificationCode,
  publicVerification,
  type PublicVerification,
} from './certificate-verification';

/**
 * The public verification query. It answers what the paper certificate shows and whether it
 * still stands (certificate-verification.ts decides which facts those are), nothing more.
 */
const CertificateStatusEnum = builder.enumType('CertificateStatus', {
  description: 'Whether a certificate still stands.',
  values: {
    VALID: { value: 'valid', description: 'Issued and not revoked.' },
    REVOKED: {
      value: 'revoked',
      description: 'Revoked, or the credit it attests was revoked: it no longer proves anything.',
    },
  } as const,
});

const CertificateVerificationRef = builder.objectRef<PublicVerification>('CertificateVerification');

CertificateVerificationRef.implement({
  extensions: audience.anyone,
  description:
    'The public answer to a verification code: the facts printed on the certificate and whether it still stands.',
  fields: (t) => ({
    status: t.expose('status', { type: CertificateStatusEnum, description: 'Valid or revoked.' }),
    kind: t.expose('kind', {
      type: CertificateKindEnum,
      description: 'A completion certificate for one activity, or a transcript for one cycle.',
    }),
    verificationCode: t.exposeString('verificationCode', {
      description: 'The code that was checked, normalized.',
    }),
    teacherName: t.exposeString('teacherName', {
      description: 'The teacher the certificate was issued to.',
    }),
    activityTitle: t.exposeString('activityTitle', {
      nullable: true,
      description: 'The activity completed (completion certificates).',
    }),
    cycleName: t.exposeString('cycleName', {
      nullable: true,
      description: 'The requirement policy whose cycle the transcript covers (transcripts).',
    }),
    startsOn: t.expose('startsOn', {
      type: 'Date',
      nullable: true,
      description: 'First day of the activity, or of the cycle.',
    }),
    endsOn: t.expose('endsOn', {
      type: 'Date',
      nullable: true,
      description: 'Last day of the activity, or of the cycle.',
    }),
    creditHours: t.exposeFloat('creditHours', {
      description:
        'Credit hours attested: the award with its adjustments, or the net ledger hours of the cycle to date.',
    }),
    issuerName: t.exposeString('issuerName', {
      description:
        'Who issued it: the training institution for a completion, the education office (or region) for a transcript.',
    }),
    issuedOn: t.expose('issuedOn', { type: 'Date', description: 'Day of issue (China time).' }),
    revokedOn: t.expose('revokedOn', {
      type: 'Date',
      nullable: true,
      description: 'Day it was revoked (China time), if it was.',
    }),
  }),
});

builder.queryField('verifyCertificate', (t) =>
  t.field({
    type: CertificateVerificationRef,
    nullable: true,
    description:
      'Checks a certificate by the verification code printed on it. No sign-in needed. Null when no certificate has this code.',
    authScopes: { public: true },
    args: {
      code: t.arg.string({
        description:
          'The verification code, 8 to 32 letters and digits; case, spaces and dashes are ignored.',
      }),
    },
    resolve: async (_root, args, context) => {
      const code = normalizeVerificationCode(args.code);
      if (code === null) {
        throw new GraphQLError(
          context.locale === 'zh-CN'
            ? '验证码应为 8 至 32 位字母或数字。'
            : 'A verification code is 8 to 32 letters and digits.',
          { extensions: { code: 'BAD_USER_INPUT', field: 'code' } },
        );
      }
      const facts = await findCertificateFactsByCode(context.db, code);
      return facts ? publicVerification(facts) : null;
    },
  }),
);
