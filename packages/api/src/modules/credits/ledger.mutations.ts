import {
  appendAudit,
  appendLedgerEntries,
  findCorrectableAward,
  findCorrectableEntry,
  lockActivity,
  lockTeacher,
  type CorrectableEntry,
  type CreditEntry,
  type DB,
} from '@registry/db';
import {
  decideCorrection,
  describeCorrectionRefusal,
  type CorrectionRefusal,
  type CorrectionRequest,
} from '@registry/domain';
import type { Kysely } from 'kysely';
import { builder } from '../../builder';
import type { Context } from '../../context';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldIssue,
} from '../../errors';
import { localIdOf } from '../ids';
import { bilingual } from '../validation';
import { CreditEntryRef } from './credit.schema';
import { inRetriedTransaction } from './crediting';

const maxReasonLength = 1000;

function parseReason(reason: string, issues: FieldIssue[]): string {
  const trimmed = reason.trim();
  if (trimmed === '') {
    issues.push({ path: ['input', 'reason'], localized: bilingual('must say why|请说明原因') });
  } else if ([...trimmed].length > maxReasonLength) {
    issues.push({
      path: ['input', 'reason'],
      localized: bilingual(
        `must be at most ${maxReasonLength} characters|最多${maxReasonLength}个字符`,
      ),
    });
  }
  return trimmed;
}

/** The office above the teacher's school (their region or above it), or a platform admin. */
function mayCorrect(context: Context, entry: CorrectableEntry): boolean {
  return (context.viewer?.memberships ?? []).some(
    (m) =>
      m.role === 'platform_admin' ||
      (m.role === 'office_officer' &&
        m.regionPath !== null &&
        entry.schoolRegionPath.startsWith(m.regionPath)),
  );
}

const entryNotFound = () => new NotFoundError(bilingual('The credit entry|该学时记录'));

/**
 * Writes one correction of one entry: locks the entry's activity (so it never interleaves with
 * the activity's crediting) and then the teacher (so two officers' corrections see each other),
 * re-reads the entry's net under those locks, asks the domain and appends. Refusals are typed.
 */
async function correct(
  context: Context,
  target: { entryId: number } | { enrollmentId: number },
  request: CorrectionRequest,
  reason: string,
  refusalField: string,
): Promise<CreditEntry> {
  const find = (db: Kysely<DB>) =>
    'entryId' in target
      ? findCorrectableEntry(db, target.entryId)
      : findCorrectableAward(db, target.enrollmentId);
  const seen = await find(context.db);
  // Hidden entries are answered as missing, whatever their reason: the ledger is personal.
  if (!seen || !(await context.loaders.creditEntry.load(seen.id))) throw entryNotFound();
  if (!mayCorrect(context, seen)) {
    throw new ForbiddenError(
      bilingual(
        'Only the education office above the teacher’s school may correct credit.|仅教师所在学校的上级教育行政部门可以更正学时。',
      ),
    );
  }
  const written = await inRetriedTransaction(context.db, async (trx) => {
    if (seen.activityId !== null) await lockActivity(trx, seen.activityId);
    await lockTeacher(trx, seen.teacherId);
    const entry = await findCorrectableEntry(trx, seen.id);
    if (!entry) throw entryNotFound();
    const decision = decideCorrection(entry, request);
    if (!decision.ok) throw refusalError(decision.refusal, refusalField);
    const [row] = await appendLedgerEntries(trx, [
      {
        teacherId: entry.teacherId,
        kind: decision.kind,
        origin: 'office',
        activityId: entry.activityId,
        enrollmentId: entry.enrollmentId,
        policyId: entry.policyId,
        category: entry.category,
        hours: decision.hours,
        earnedOn: entry.earnedOn,
        reason,
        correctsEntryId: entry.id,
        actorId: context.viewer?.id ?? null,
      },
    ]);
    // Only a revocation can meet a unique index here, and only if another slipped past the lock.
    if (!row) throw refusalError({ code: 'ALREADY_REVOKED' }, refusalField);
    await appendAudit(trx, {
      actorId: context.viewer?.id ?? null,
      action: `credit.${decision.kind}`,
      entityType: 'credit_entry',
      entityId: row.id,
      before: { correctsEntryId: entry.id, netHours: entry.chainHours },
      after: row,
      requestId: context.requestId,
    });
    return row;
  });
  context.loaders.creditEntriesOfTeacher.clear(written.teacherId);
  return {
    id: written.id,
    teacherId: written.teacherId,
    kind: written.kind,
    activityId: written.activityId,
    enrollmentId: written.enrollmentId,
    category: written.category,
    hours: written.hours,
    policyId: written.policyId,
    earnedOn: written.earnedOn,
    reason: written.reason,
    correctsEntryId: written.correctsEntryId,
    createdAt: written.createdAt,
  };
}

function refusalError(refusal: CorrectionRefusal, field: string) {
  const localized = {
    en: describeCorrectionRefusal(refusal, 'en'),
    'zh-CN': describeCorrectionRefusal(refusal, 'zh-CN'),
  };
  switch (refusal.code) {
    case 'ZERO_HOURS':
    case 'NET_BELOW_ZERO':
      return new ValidationError([{ path: ['input', 'hours'], localized }]);
    case 'IS_A_CORRECTION':
      return new ValidationError([{ path: ['input', field], localized }]);
    case 'ALREADY_REVOKED':
    case 'NOTHING_TO_REVOKE':
      return new ConflictError(localized);
    default: {
      const never: never = refusal;
      throw new Error(`unknown correction refusal ${JSON.stringify(never)}`);
    }
  }
}

const AdjustCreditInput = builder.inputType('AdjustCreditInput', {
  description:
    'An adjustment of a teacher’s credit: a new ledger entry that adds or takes hours, with a reason. Name the entry, or the enrollment whose award it adjusts.',
  fields: (t) => ({
    entryId: t.id({ required: false, description: 'Global ID of the credit entry to adjust.' }),
    enrollmentId: t.id({
      required: false,
      description: 'Global ID of the enrollment whose award to adjust (instead of entryId).',
    }),
    hours: t.float({
      description: 'Hours to add (positive) or take (negative), at most two decimals, not 0.',
    }),
    reason: t.string({ description: 'Why, at most 1000 characters; shown on the transcript.' }),
  }),
});

builder.mutationField('adjustCredit', (t) =>
  t.field({
    type: CreditEntryRef,
    description:
      'Adjusts a credit entry by appending an adjustment with a reason; the entry is never changed and its net never drops below zero. Education office above the teacher’s school; platform admins.',
    authScopes: { officeOfficer: true, platformAdmin: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: { input: t.arg({ type: AdjustCreditInput, description: 'The adjustment.' }) },
    resolve: async (_root, { input }, context) => {
      const issues: FieldIssue[] = [];
      const named = [input.entryId, input.enrollmentId].filter((v) => v != null).length;
      let target: { entryId: number } | { enrollmentId: number } | null = null;
      if (named !== 1) {
        issues.push({
          path: ['input', 'entryId'],
          localized: bilingual(
            'give exactly one of entryId and enrollmentId|entryId 与 enrollmentId 须且仅须填写一项',
          ),
        });
      } else if (input.entryId != null) {
        const id = localIdOf(input.entryId, 'CreditEntry');
        if (id === null) {
          issues.push({
            path: ['input', 'entryId'],
            localized: bilingual('is not the ID of a credit entry|不是有效的学时记录ID'),
          });
        } else target = { entryId: id };
      } else if (input.enrollmentId != null) {
        const id = localIdOf(input.enrollmentId, 'Enrollment');
        if (id === null) {
          issues.push({
            path: ['input', 'enrollmentId'],
            localized: bilingual('is not the ID of an enrollment|不是有效的参训记录ID'),
          });
        } else target = { enrollmentId: id };
      }
      const hours = input.hours;
      if (
        !Number.isFinite(hours) ||
        Math.abs(hours) > 1000 ||
        Math.round(hours * 100) !== hours * 100
      ) {
        issues.push({
          path: ['input', 'hours'],
          localized: bilingual(
            'must be between -1000 and 1000 with at most two decimals|须在-1000至1000之间，最多两位小数',
          ),
        });
      } else if (hours === 0) {
        issues.push({ path: ['input', 'hours'], localized: bilingual('must not be 0|不能为0') });
      }
      const reason = parseReason(input.reason, issues);
      if (issues.length || target === null) throw new ValidationError(issues);
      return correct(
        context,
        target,
        { kind: 'adjustment', hours },
        reason,
        'entryId' in target ? 'entryId' : 'enrollmentId',
      );
    },
  }),
);

const RevokeCreditInput = builder.inputType('RevokeCreditInput', {
  description: 'A revocation of a credit entry, with a reason.',
  fields: (t) => ({
    entryId: t.id({ description: 'Global ID of the credit entry to revoke (an award, usually).' }),
    reason: t.string({ description: 'Why, at most 1000 characters; shown on the transcript.' }),
  }),
});

builder.mutationField('revokeCredit', (t) =>
  t.field({
    type: CreditEntryRef,
    description:
      'Revokes a credit entry by appending a revocation of its whole net (the entry and its adjustments), with a reason; once per entry. A revoked award stays revoked when the roster is re-credited. Education office above the teacher’s school; platform admins.',
    authScopes: { officeOfficer: true, platformAdmin: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: { input: t.arg({ type: RevokeCreditInput, description: 'The revocation.' }) },
    resolve: async (_root, { input }, context) => {
      const issues: FieldIssue[] = [];
      const id = localIdOf(input.entryId, 'CreditEntry');
      if (id === null) {
        issues.push({
          path: ['input', 'entryId'],
          localized: bilingual('is not the ID of a credit entry|不是有效的学时记录ID'),
        });
      }
      const reason = parseReason(input.reason, issues);
      if (issues.length || id === null) throw new ValidationError(issues);
      return correct(context, { entryId: id }, { kind: 'revocation' }, reason, 'entryId');
    },
  }),
);
