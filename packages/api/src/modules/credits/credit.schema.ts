import type { Certificate, CreditEntry } from '../../loaders';
import { loadAll } from '../../loaders';
import { audience, builder } from '../../builder';
import { parseIntId } from '../ids';
import { ActivityRef } from '../activities/activity.schema';
import { CertificateKindEnum, LedgerEntryKindEnum } from '../enums';
import { CreditCategoryRef } from '../organizations/organization.schema';
import { sliceConnection } from '../pagination';
import { selectsAnyOf } from '../selection';
import { TeacherRef } from '../teachers/teacher.schema';

export const CreditEntryRef = builder.objectRef<CreditEntry>('CreditEntry');

/** Teacher.creditEntries reads the entries' activities with the ledger when they are asked for. */
const activityField: ReadonlySet<string> = new Set(['activity']);
const itemPath = ['edges', 'node'] as const;

builder.node(CreditEntryRef, {
  extensions: audience.signedIn,
  id: { resolve: (entry) => entry.id, parse: parseIntId },
  loadMany: (ids, context) => loadAll(context.loaders.creditEntry, ids),
  description:
    'One line of a teacher’s credit ledger: an award, an adjustment or a revocation. The ledger is append-only; a transcript is its sum.',
  fields: (t) => ({
    kind: t.expose('kind', {
      type: LedgerEntryKindEnum,
      description: 'Award, adjustment or revocation.',
    }),
    hours: t.exposeFloat('hours', {
      description:
        'Credit hours after conversion; negative for revocations and downward adjustments.',
    }),
    earnedOn: t.expose('earnedOn', { type: 'Date', description: 'The day the hours count for.' }),
    reason: t.exposeString('reason', {
      nullable: true,
      description: 'Why, for adjustments and revocations.',
    }),
    recordedAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When the entry was written.',
    }),
    category: t.field({
      type: CreditCategoryRef,
      description: 'The credit category the hours count toward.',
      resolve: (entry, _args, context) =>
        context.loaders.creditCategory.nowExisting(entry.category),
    }),
    activity: t.field({
      type: ActivityRef,
      nullable: true,
      description: 'The activity the hours were earned in, if any and if visible.',
      resolve: (entry, _args, context) =>
        entry.activityId === null ? null : context.loaders.activity.now(entry.activityId),
    }),
    corrects: t.field({
      type: CreditEntryRef,
      nullable: true,
      description:
        'The entry an adjustment or revocation corrects (usually the award); null for awards.',
      resolve: (entry, _args, context) =>
        entry.correctsEntryId === null
          ? null
          : context.loaders.creditEntry.load(entry.correctsEntryId),
    }),
  }),
});

export const CertificateRef = builder.objectRef<Certificate>('Certificate');

builder.node(CertificateRef, {
  extensions: audience.signedIn,
  id: { resolve: (certificate) => certificate.id, parse: parseIntId },
  loadMany: (ids, context) => loadAll(context.loaders.certificate, ids),
  description: 'A certificate issued to a teacher; anyone can check it with its verification code.',
  fields: (t) => ({
    kind: t.expose('kind', {
      type: CertificateKindEnum,
      description: 'For one activity or a whole transcript.',
    }),
    verificationCode: t.exposeString('verificationCode', {
      description: 'Code printed on the certificate.',
    }),
    issuedAt: t.expose('issuedAt', { type: 'DateTime', description: 'When it was issued.' }),
    revokedAt: t.expose('revokedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was revoked, if it was; a revoked certificate no longer verifies.',
    }),
    revocationReason: t.exposeString('revocationReason', {
      nullable: true,
      description: 'Why it was revoked.',
    }),
  }),
});

builder.objectFields(TeacherRef, (t) => ({
  creditEntries: t.connection(
    {
      type: CreditEntryRef,
      description:
        'The teacher’s credit ledger in the order it was written, as far as the caller may see it.',
      resolve: async (teacher, args, context, info) => {
        if (selectsAnyOf(info, activityField, itemPath)) context.loaders.readLedgerWithActivities();
        return sliceConnection(
          await context.loaders.creditEntriesOfTeacher.load(teacher.id),
          args,
          (e) => e.id,
        );
      },
    },
    { name: 'CreditEntryConnection' },
    { name: 'CreditEntryEdge' },
  ),
  creditHours: t.float({
    description: 'Sum of the visible ledger: the teacher’s credit hours to date.',
    resolve: async (teacher, _args, context) => {
      const entries = await context.loaders.creditEntriesOfTeacher.load(teacher.id);
      // Hours carry at most two decimals; summing in hundredths keeps the total exact.
      return entries.reduce((sum, entry) => sum + Math.round(entry.hours * 100), 0) / 100;
    },
  }),
  certificates: t.connection(
    {
      type: CertificateRef,
      description: 'Certificates issued to the teacher, newest first.',
      resolve: async (teacher, args, context) =>
        sliceConnection(
          await context.loaders.certificatesOfTeacher.load(teacher.id),
          args,
          (c) => c.id,
        ),
    },
    { name: 'CertificateConnection' },
    { name: 'CertificateEdge' },
  ),
}));
