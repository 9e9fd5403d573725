import {
  completionRulesSchema,
  type ActivityStatus,
  type AssessmentResult,
  type AttendanceStatus,
  type CompletionRules,
  type DeliveryMode,
  type EnrollmentStatus,
  type LedgerEntryKind,
  type SessionMode,
} from '@registry/domain';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../generated/database';
import {
  bindingPoliciesByKey,
  policyRegionDepth,
  regionAtOrAbove,
  type PolicyReader,
} from './binding-policies';
import { compiledByIds } from './compiled-once';
import type { RequirementPolicy } from './directory.repository';
import { enrollmentVisible, ledgerVisible, teacherVisible, type Visibility } from './visibility';

/**
 * Everything a teacher's transcript and progress are computed from (issue 4, point 7): the
 * policies that bind the teacher, the whole ledger, and every enrollment with the facts the
 * completion rule needs to say why it did not credit. Read for many teachers at once (one
 * statement per kind of row), so a list of teachers with their progress costs a fixed number
 * of statements.
 */
export interface ProgressFacts {
  teacherId: number;
  /** Binding policies (the school's region and every region above it), deepest region first. */
  policies: BindingPolicy[];
  entries: TranscriptEntry[];
  enrollments: EnrollmentOutcomeFacts[];
}

export interface BindingPolicy extends RequirementPolicy {
  /** How deep the policy's region lies (1 = province): a district's policy beats its city's. */
  regionDepth: number;
}

export interface TranscriptEntry {
  id: number;
  kind: LedgerEntryKind;
  hours: number;
  category: string;
  policyId: number | null;
  earnedOn: string;
  enrollmentId: number | null;
  correctsEntryId: number | null;
  reason: string | null;
}

export interface EnrollmentOutcomeFacts {
  id: number;
  activityId: number;
  status: EnrollmentStatus;
  rejectionReason: string | null;
  assessment: AssessmentResult | null;
  activityStatus: ActivityStatus;
  category: string;
  deliveryMode: DeliveryMode;
  creditHours: number;
  completionRules: CompletionRules;
  endsOn: string;
  assignmentCount: number;
  assignmentsOnTime: number;
  sessions: Array<{
    id: number;
    sequence: number;
    title: string;
    hours: number;
    mode: SessionMode;
    onlineMinMinutes: number | null;
  }>;
  attendance: Array<{ sessionId: number; status: AttendanceStatus; minutes: number }>;
}

/**
 * The transcript is the teacher's own record: it is read for callers who see the teacher as an
 * office, their school, the teacher themself or a platform admin. An institution sees only the
 * awards of its own activities, so a "progress" computed from that part would be wrong, not
 * partial: those callers get nothing.
 */
function asOwner(visibility: Visibility): Visibility {
  return { ...visibility, institutionIds: [], trainerId: null, trainerInstitutionIds: [] };
}

/**
 * Whether the caller reads a teacher's ledger exactly as the owner view does (no institution or
 * trainer part in their visibility): then the ledger the caller already loaded for a
 * transcript's entries is the one progress sums, and need not be read twice.
 */
export function readsLedgerAsOwner(visibility: Visibility): boolean {
  return (
    visibility.institutionIds.length === 0 &&
    visibility.trainerId === null &&
    visibility.trainerInstitutionIds.length === 0
  );
}

/** Facts per teacher id; teachers the caller may not read as owner are left out. */
export async function findProgressFactsByTeacherIds(
  db: Kysely<DB>,
  visibility: Visibility,
  teacherIds: ReadonlyArray<number>,
  options: {
    /** Without enrollments, `enrollments` stays empty: the ledger-based figures are the same. */
    enrollments: boolean;
    /**
     * Each teacher's ledger in id order, already read under the owner view (see
     * readsLedgerAsOwner); without it the ledger is read here.
     */
    ledger?: ReadonlyMap<number, ReadonlyArray<TranscriptEntry>>;
    /** How the bound policies are read (default: from the database). */
    readPolicies?: PolicyReader;
  } = { enrollments: true },
): Promise<Map<number, ProgressFacts>> {
  const out = new Map<number, ProgressFacts>();
  if (teacherIds.length === 0) return out;
  const owner = asOwner(visibility);

  // A caller who sees every teacher needs no check; the ids come from teachers already loaded.
  const ids = owner.all
    ? [...teacherIds]
    : (
        await db
          .selectFrom('teachers')
          .select('teachers.id')
          .where('teachers.id', 'in', teacherIds)
          .where((eb) => teacherVisible(eb, owner))
          .execute()
      ).map((t) => t.id);
  if (ids.length === 0) return out;
  for (const id of ids) out.set(id, { teacherId: id, policies: [], entries: [], enrollments: [] });

  // progress.binding-policies: the policies of the school's region and every region above it.
  const policiesOf = await bindingPoliciesByKey(
    db,
    await bindingPolicies(db, null, ids),
    (binding) => binding.teacher_id,
    options.readPolicies,
  );
  for (const facts of out.values()) {
    facts.policies = policiesOf.get(facts.teacherId) ?? [];
    facts.policies.sort(
      (a, b) =>
        b.regionDepth - a.regionDepth ||
        a.cycleStartsOn.localeCompare(b.cycleStartsOn) ||
        a.id - b.id,
    );
  }

  // progress.ledger: the whole ledger of each teacher; a transcript is its sum.
  if (options.ledger) {
    for (const id of ids) out.get(id)!.entries.push(...(options.ledger.get(id) ?? []));
  } else {
    const entries = await db
      .selectFrom('credit_ledger')
      .select([
        'credit_ledger.id',
        'credit_ledger.teacher_id',
        'credit_ledger.kind',
        'credit_ledger.hours',
        'credit_ledger.category',
        'credit_ledger.policy_id',
        'credit_ledger.earned_on',
        'credit_ledger.enrollment_id',
        'credit_ledger.corrects_entry_id',
        'credit_ledger.reason',
      ])
      .where('credit_ledger.teacher_id', 'in', ids)
      .where((eb) => ledgerVisible(eb, owner))
      .orderBy('credit_ledger.id')
      .execute();
    for (const row of entries) {
      out.get(row.teacher_id)?.entries.push({
        id: row.id,
        kind: row.kind as LedgerEntryKind,
        hours: row.hours,
        category: row.category,
        policyId: row.policy_id,
        earnedOn: row.earned_on,
        enrollmentId: row.enrollment_id,
        correctsEntryId: row.corrects_entry_id,
        reason: row.reason,
      });
    }
  }

  if (!options.enrollments) return out;

  // progress.enrollments: every enrollment with the activity facts its outcome depends on.
  const enrollments = await db
    .selectFrom('enrollments')
    .innerJoin('activities', 'activities.id', 'enrollments.activity_id')
    .select([
      'enrollments.id',
      'enrollments.teacher_id',
      'enrollments.activity_id',
      'enrollments.status',
      'enrollments.rejection_reason',
      'enrollments.assessment_result',
      'activities.status as activity_status',
      'activities.category',
      'activities.delivery_mode',
      'activities.credit_hours',
      'activities.completion_rules',
      'activities.ends_on',
      sql<number>`(select count(*) from assignments s where s.activity_id = enrollments.activity_id)`.as(
        'assignment_count',
      ),
      sql<number>`(select count(*) from submissions s where s.enrollment_id = enrollments.id and s.on_time)`.as(
        'on_time',
      ),
    ])
    .where('enrollments.teacher_id', 'in', ids)
    .where((eb) => enrollmentVisible(eb, owner))
    .orderBy('activities.ends_on')
    .orderBy('enrollments.id')
    .execute();
  const byEnrollment = new Map<number, EnrollmentOutcomeFacts>();
  for (const row of enrollments) {
    const facts: EnrollmentOutcomeFacts = {
      id: row.id,
      activityId: row.activity_id,
      status: row.status as EnrollmentStatus,
      rejectionReason: row.rejection_reason,
      assessment: row.assessment_result as AssessmentResult | null,
      activityStatus: row.activity_status as ActivityStatus,
      category: row.category,
      deliveryMode: row.delivery_mode as DeliveryMode,
      creditHours: row.credit_hours,
      // Parsed on the way out like every stored rule: a bad row fails here, not in a rule.
      completionRules: completionRulesSchema.parse(row.completion_rules),
      endsOn: row.ends_on,
      assignmentCount: Number(row.assignment_count),
      assignmentsOnTime: Number(row.on_time),
      sessions: [],
      attendance: [],
    };
    byEnrollment.set(row.id, facts);
    out.get(row.teacher_id)?.enrollments.push(facts);
  }
  if (byEnrollment.size === 0) return out;

  // Sessions and attendance are read only for enrollments the caller already sees (above): the
  // completion rule needs the whole programme to say why an enrollment did not complete.
  const activityIds = [...new Set(enrollments.map((e) => e.activity_id))];
  // progress.sessions: the programme of every activity the teachers are enrolled in.
  const sessions = await db
    .selectFrom('sessions')
    .select(['id', 'activity_id', 'sequence', 'title', 'hours', 'mode', 'online_min_minutes'])
    .where('activity_id', 'in', activityIds)
    .orderBy('activity_id')
    .orderBy('sequence')
    .execute();
  const sessionsOf = new Map<number, EnrollmentOutcomeFacts['sessions']>();
  for (const s of sessions) {
    const list = sessionsOf.get(s.activity_id) ?? [];
    list.push({
      id: s.id,
      sequence: s.sequence,
      title: s.title,
      hours: s.hours,
      mode: s.mode as SessionMode,
      onlineMinMinutes: s.online_min_minutes,
    });
    sessionsOf.set(s.activity_id, list);
  }
  // progress.attendance: the teachers' own attendance rows.
  const attendance = await db
    .selectFrom('attendance')
    .select(['enrollment_id', 'session_id', 'status', 'minutes'])
    .where('enrollment_id', 'in', [...byEnrollment.keys()])
    .execute();
  for (const facts of byEnrollment.values())
    facts.sessions = sessionsOf.get(facts.activityId) ?? [];
  for (const row of attendance) {
    byEnrollment.get(row.enrollment_id)?.attendance.push({
      sessionId: row.session_id,
      status: row.status as AttendanceStatus,
      minutes: row.minutes,
    });
  }
  return out;
}

const bindingPolicies = compiledByIds({
  build: (db, anyId) =>
    db
      .selectFrom('teachers as t')
      .innerJoin('organizations as o', 'o.id', 't.school_id')
      .innerJoin('regions as r', 'r.id', 'o.region_id')
      .innerJoin('regions as pr', (join) => join.on(regionAtOrAbove))
      .innerJoin('requirement_policies as p', 'p.region_id', 'pr.id')
      .select(['t.id as teacher_id', 'p.id as policy_id', policyRegionDepth])
      .where('t.id', '=', anyId),
});
