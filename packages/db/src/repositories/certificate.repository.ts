import { randomInt } from 'node:crypto';
import type {
  ActivityLevel,
  CertificateKind,
  DeliveryMode,
  LedgerEntryKind,
} from '@registry/domain';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Certificates, DB } from '../generated/database';
import { findRequirementPoliciesByIds, type RequirementPolicy } from './directory.repository';
import { teacherVisible, type Visibility } from './visibility';

/**
 * Certificates and the facts printed on them. Reads here are not filtered by visibility: the
 * verification code is itself the permission to see what the paper certificate shows, and the
 * PDF and credential routes check the caller against `certificateVisible` before they come here.
 */

export interface CertificateRecord {
  id: number;
  kind: CertificateKind;
  teacherId: number;
  enrollmentId: number | null;
  ledgerEntryId: number | null;
  policyId: number | null;
  verificationCode: string;
  issuedAt: Date;
  revokedAt: Date | null;
  revocationReason: string | null;
}

function toRecord(row: Selectable<Certificates>): CertificateRecord {
  return {
    id: row.id,
    kind: row.kind as CertificateKind,
    teacherId: row.teacher_id,
    enrollmentId: row.enrollment_id,
    ledgerEntryId: row.ledger_entry_id,
    policyId: row.policy_id,
    verificationCode: row.verification_code,
    issuedAt: row.issued_at,
    revokedAt: row.revoked_at,
    revocationReason: row.revocation_reason,
  };
}

export interface CompletionFacts {
  activity: {
    id: number;
    code: string;
    title: string;
    description: string;
    startsOn: string;
    endsOn: string;
    creditHours: number;
    level: ActivityLevel;
    deliveryMode: DeliveryMode;
  };
  category: { code: string; nameEn: string; nameZh: string };
  provider: { id: number; code: string; name: string };
  award: {
    id: number;
    /** The award's hours plus the adjustments that correct it: what the teacher holds now. */
    hours: number;
    earnedOn: string;
    recordedAt: Date;
  };
}

export interface TranscriptLine {
  kind: LedgerEntryKind;
  hours: number;
  category: string;
  policyId: number | null;
  earnedOn: string;
  activityTitle: string | null;
}

export interface TranscriptFacts {
  policy: RequirementPolicy;
  regionName: string;
  /** The education office of the policy's region, which answers for the requirement. */
  officeName: string | null;
  /** Every ledger entry of the teacher that counts toward this cycle, in the order written. */
  entries: TranscriptLine[];
  categoryNames: Record<string, { en: string; zh: string }>;
}

export interface CertificateFacts {
  certificate: CertificateRecord;
  teacher: { id: number; name: string; nationalId: string; schoolName: string };
  /**
   * Set when the certificate was revoked or the ledger award it attests was revoked: either
   * way it no longer verifies.
   */
  revocation: { at: Date; reason: string } | null;
  completion: CompletionFacts | null;
  transcript: TranscriptFacts | null;
}

/** The certificate with this verification code and what it attests, or null. */
export async function findCertificateFactsByCode(
  db: Kysely<DB>,
  verificationCode: string,
): Promise<CertificateFacts | null> {
  // One lookup through the unique index: the answer costs the same whatever the code.
  const row = await db
    .selectFrom('certificates')
    .selectAll()
    .where('verification_code', '=', verificationCode)
    .executeTakeFirst();
  return row ? factsOf(db, toRecord(row)) : null;
}

export async function findCertificateFactsById(
  db: Kysely<DB>,
  id: number,
): Promise<CertificateFacts | null> {
  const row = await db
    .selectFrom('certificates')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? factsOf(db, toRecord(row)) : null;
}

async function factsOf(db: Kysely<DB>, certificate: CertificateRecord): Promise<CertificateFacts> {
  const teacher = await db
    .selectFrom('teachers')
    .innerJoin('organizations', 'organizations.id', 'teachers.school_id')
    .select([
      'teachers.id',
      'teachers.name',
      'teachers.national_id',
      'organizations.name as school_name',
    ])
    .where('teachers.id', '=', certificate.teacherId)
    .executeTakeFirstOrThrow();
  const completion =
    certificate.kind === 'completion' && certificate.enrollmentId !== null
      ? await completionFacts(db, certificate.enrollmentId)
      : null;
  const transcript =
    certificate.kind === 'transcript' && certificate.policyId !== null
      ? await transcriptFacts(db, certificate.teacherId, certificate.policyId)
      : null;
  let revocation: CertificateFacts['revocation'] = null;
  if (certificate.revokedAt) {
    revocation = { at: certificate.revokedAt, reason: certificate.revocationReason ?? '' };
  } else if (completion?.revokedBy) {
    revocation = completion.revokedBy;
  }
  return {
    certificate,
    teacher: {
      id: teacher.id,
      name: teacher.name,
      nationalId: teacher.national_id,
      schoolName: teacher.school_name,
    },
    revocation,
    completion: completion?.facts ?? null,
    transcript,
  };
}

async function completionFacts(
  db: Kysely<DB>,
  enrollmentId: number,
): Promise<{ facts: CompletionFacts; revokedBy: CertificateFacts['revocation'] } | null> {
  // The award is found through the enrollment (one award per enrollment, by a unique index),
  // so a certificate written without ledger_entry_id still finds its hours.
  const row = await db
    .selectFrom('credit_ledger as award')
    .innerJoin('activities', 'activities.id', 'award.activity_id')
    .innerJoin('organizations as provider', 'provider.id', 'activities.provider_id')
    .innerJoin('credit_categories', 'credit_categories.code', 'award.category')
    .leftJoin('credit_ledger as revocation', (join) =>
      join
        .onRef('revocation.corrects_entry_id', '=', 'award.id')
        .on('revocation.kind', '=', 'revocation'),
    )
    .select([
      'award.id as award_id',
      'award.hours as award_hours',
      'award.earned_on',
      'award.created_at as award_recorded_at',
      'activities.id as activity_id',
      'activities.code as activity_code',
      'activities.title',
      'activities.description',
      'activities.starts_on',
      'activities.ends_on',
      'activities.credit_hours',
      'activities.level',
      'activities.delivery_mode',
      'credit_categories.code as category_code',
      'credit_categories.name_en',
      'credit_categories.name_zh',
      'provider.id as provider_id',
      'provider.code as provider_code',
      'provider.name as provider_name',
      'revocation.created_at as revoked_at',
      'revocation.reason as revocation_reason',
      (eb) =>
        eb
          .selectFrom('credit_ledger as adjustment')
          .select(sql<number>`coalesce(sum(adjustment.hours), 0)`.as('sum'))
          .whereRef('adjustment.corrects_entry_id', '=', 'award.id')
          .where('adjustment.kind', '=', 'adjustment')
          .as('adjusted_hours'),
    ])
    .where('award.enrollment_id', '=', enrollmentId)
    .where('award.kind', '=', 'award')
    .executeTakeFirst();
  if (!row) return null;
  const centi = Math.round(row.award_hours * 100) + Math.round(Number(row.adjusted_hours) * 100);
  return {
    facts: {
      activity: {
        id: row.activity_id,
        code: row.activity_code,
        title: row.title,
        description: row.description,
        startsOn: row.starts_on,
        endsOn: row.ends_on,
        creditHours: row.credit_hours,
        level: row.level as ActivityLevel,
        deliveryMode: row.delivery_mode as DeliveryMode,
      },
      category: { code: row.category_code, nameEn: row.name_en, nameZh: row.name_zh },
      provider: { id: row.provider_id, code: row.provider_code, name: row.provider_name },
      award: {
        id: row.award_id,
        hours: centi / 100,
        earnedOn: row.earned_on,
        recordedAt: row.award_recorded_at,
      },
    },
    revokedBy: row.revoked_at ? { at: row.revoked_at, reason: row.revocation_reason ?? '' } : null,
  };
}

async function transcriptFacts(
  db: Kysely<DB>,
  teacherId: number,
  policyId: number,
): Promise<TranscriptFacts | null> {
  const [policy] = await findRequirementPoliciesByIds(db, [policyId]);
  if (!policy) return null;
  const region = await db
    .selectFrom('regions')
    .leftJoin('organizations as office', (join) =>
      join.onRef('office.region_id', '=', 'regions.id').on('office.kind', '=', 'education_office'),
    )
    .select(['regions.name', 'office.name as office_name'])
    .where('regions.id', '=', policy.regionId)
    .orderBy('office.id')
    .executeTakeFirstOrThrow();
  const entries = await db
    .selectFrom('credit_ledger')
    .leftJoin('activities', 'activities.id', 'credit_ledger.activity_id')
    .select([
      'credit_ledger.kind',
      'credit_ledger.hours',
      'credit_ledger.category',
      'credit_ledger.policy_id',
      'credit_ledger.earned_on',
      'activities.title',
    ])
    .where('credit_ledger.teacher_id', '=', teacherId)
    .where('credit_ledger.policy_id', '=', policyId)
    .orderBy('credit_ledger.id')
    .execute();
  const categories = await db
    .selectFrom('credit_categories')
    .select(['code', 'name_en', 'name_zh'])
    .execute();
  return {
    policy,
    regionName: region.name,
    officeName: region.office_name,
    entries: entries.map((e) => ({
      kind: e.kind as LedgerEntryKind,
      hours: e.hours,
      category: e.category,
      policyId: e.policy_id,
      earnedOn: e.earned_on,
      activityTitle: e.title,
    })),
    categoryNames: Object.fromEntries(
      categories.map((c) => [c.code, { en: c.name_en, zh: c.name_zh }]),
    ),
  };
}

/**
 * Whether the caller sees the teacher as someone who holds their certificates: an office above
 * the school, the school, the teacher themself or a platform admin. Institutions and trainers
 * see the teachers on their rosters but hold no certificates of theirs.
 */
export async function holdsCertificatesOf(
  db: Kysely<DB>,
  visibility: Visibility,
  teacherId: number,
): Promise<boolean> {
  const asOwner: Visibility = {
    ...visibility,
    institutionIds: [],
    trainerId: null,
    trainerInstitutionIds: [],
  };
  const row = await db
    .selectFrom('teachers')
    .select('id')
    .where('id', '=', teacherId)
    .where((eb) => teacherVisible(eb, asOwner))
    .executeTakeFirst();
  return row !== undefined;
}

// Unambiguous when read aloud or typed from paper: no 0/O or 1/I.
const codeAlphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** 16 symbols of 32: 80 random bits, so guessing a valid code is hopeless and collisions are too. */
export function newVerificationCode(): string {
  let code = '';
  for (let i = 0; i < 16; i += 1) code += codeAlphabet[randomInt(codeAlphabet.length)];
  return code;
}

export type IssueOutcome =
  | { ok: true; certificate: CertificateRecord; created: boolean }
  | { ok: false; reason: 'NO_AWARD' | 'AWARD_REVOKED' | 'CERTIFICATE_REVOKED' };

/**
 * The completion certificate of an enrollment, issued now if it has none. Needs the
 * enrollment's ledger award; idempotent under concurrent calls because enrollment_id is unique
 * on certificates (the losing insert does nothing and the winner's row is read back).
 *
 * A certificate that no longer stands is not handed out again as if it were fresh: revoked by
 * an office, or its award revoked in the ledger, the caller is told so. (enrollment_id being
 * unique, a revoked completion certificate is never replaced; the ledger is corrected instead.)
 */
export async function issueCompletionCertificate(
  db: Kysely<DB>,
  enrollmentId: number,
): Promise<IssueOutcome> {
  const inserted = await sql<Selectable<Certificates>>`
    insert into certificates (kind, teacher_id, enrollment_id, ledger_entry_id, policy_id, verification_code)
    select 'completion', award.teacher_id, award.enrollment_id, award.id, award.policy_id, ${newVerificationCode()}
    from credit_ledger award
    where award.enrollment_id = ${enrollmentId} and award.kind = 'award'
      and not exists (
        select 1 from credit_ledger revocation
        where revocation.corrects_entry_id = award.id and revocation.kind = 'revocation'
      )
    on conflict (enrollment_id) do nothing
    returning *
  `.execute(db);
  const created = inserted.rows[0];
  if (created) return { ok: true, certificate: toRecord(created), created: true };
  const award = await db
    .selectFrom('credit_ledger as award')
    .select((eb) => [
      'award.id',
      eb
        .exists(
          eb
            .selectFrom('credit_ledger as revocation')
            .select('revocation.id')
            .whereRef('revocation.corrects_entry_id', '=', 'award.id')
            .where('revocation.kind', '=', 'revocation'),
        )
        .as('revoked'),
    ])
    .where('award.enrollment_id', '=', enrollmentId)
    .where('award.kind', '=', 'award')
    .executeTakeFirst();
  if (!award) return { ok: false, reason: 'NO_AWARD' };
  const existing = await db
    .selectFrom('certificates')
    .selectAll()
    .where('enrollment_id', '=', enrollmentId)
    .executeTakeFirst();
  if (existing?.revoked_at) return { ok: false, reason: 'CERTIFICATE_REVOKED' };
  if (award.revoked) return { ok: false, reason: 'AWARD_REVOKED' };
  if (existing) return { ok: true, certificate: toRecord(existing), created: false };
  // The award exists and stands, yet neither insert nor read found a row: only a certificate
  // deleted in between could do that, and certificates are never deleted.
  throw new Error(`certificate of enrollment ${enrollmentId} vanished while it was issued`);
}

/**
 * The teacher's transcript certificate for a requirement cycle, issued now if none that still
 * verifies exists. Call inside a transaction: nothing in the schema makes (teacher, cycle)
 * unique — a revoked transcript stays on record beside its replacement — so the teacher's row
 * is locked to make "look, then insert" safe against concurrent clicks.
 */
export async function issueTranscriptCertificate(
  trx: Kysely<DB>,
  teacherId: number,
  policyId: number,
): Promise<{ certificate: CertificateRecord; created: boolean }> {
  if (!trx.isTransaction) throw new Error('issueTranscriptCertificate needs a transaction');
  await trx
    .selectFrom('teachers')
    .select('id')
    .where('id', '=', teacherId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const existing = await trx
    .selectFrom('certificates')
    .selectAll()
    .where('teacher_id', '=', teacherId)
    .where('policy_id', '=', policyId)
    .where('kind', '=', 'transcript')
    .where('revoked_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (existing) return { certificate: toRecord(existing), created: false };
  const row = await trx
    .insertInto('certificates')
    .values({
      kind: 'transcript',
      teacher_id: teacherId,
      policy_id: policyId,
      verification_code: newVerificationCode(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { certificate: toRecord(row), created: true };
}

/** Locks one certificate for a change; null when it does not exist. */
export async function lockCertificate(
  trx: Kysely<DB>,
  id: number,
): Promise<CertificateRecord | null> {
  const row = await trx
    .selectFrom('certificates')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** Marks a certificate revoked; the row stays so its code keeps answering "revoked". */
export async function revokeCertificate(
  trx: Kysely<DB>,
  id: number,
  reason: string,
): Promise<CertificateRecord> {
  const row = await trx
    .updateTable('certificates')
    .set({ revoked_at: sql`now()`, revocation_reason: reason })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row);
}
