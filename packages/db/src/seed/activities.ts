import {
  activityStatuses,
  completionRulesSchema,
  eligibilityRulesSchema,
  type ActivityLevel,
  type ActivityStatus,
  type CompletionRules,
  type DeliveryMode,
  type EligibilityRules,
} from '@registry/domain';
import {
  archetypes,
  type Archetype,
  type AssignmentPlan,
  type PlanWorld,
  type SessionPlan,
  type Slot,
} from './archetypes';
import { insertRows } from './bulk';
import { addDays, timestampAt, yearOf, type Calendar } from './calendar';
import { rejectionReasons } from './names';
import { at, type Random } from './random';
import type {
  AccountSet,
  Organization,
  OrganizationSet,
  RegionTree,
  SeedContext,
  Teacher,
  Trainer,
  TrainerSet,
} from './world';

export type { Archetype, AssignmentPlan, SessionPlan };

export interface ActivityPlan {
  /** Filled in once inserted. */
  id: number;
  code: string;
  archetype: Archetype;
  title: string;
  description: string;
  provider: Organization;
  regionId: number;
  category: string;
  level: ActivityLevel;
  mode: DeliveryMode;
  creditHours: number;
  capacity: number | null;
  selfEnrollment: boolean;
  eligibility: EligibilityRules;
  completion: CompletionRules;
  status: ActivityStatus;
  rejectionReason: string | null;
  startsOn: string;
  endsOn: string;
  createdBy: number | null;
  createdAt: string;
  /** The office officer who approved or rejected it, and when. */
  decidedBy: number | null;
  decidedAt: string | null;
  updatedAt: string;
  version: number;
  sessions: SessionPlan[];
  assignments: AssignmentPlan[];
  /** Teachers who might enroll, and the share of them that do. */
  pool: readonly Teacher[];
  reach: number;
  /** Hand-placed activities the demo logins rely on (the demo teacher joins them when eligible). */
  curated: boolean;
}

// --- which activities ----------------------------------------------------------------------

/**
 * The hand-placed activities every dataset has, whatever its size: each delivery mode, each
 * status, and what the demo logins need (the demo trainer teaching today, the demo school's open
 * classes and mentoring pair, submitted activities waiting for the demo office).
 */
function curatedSlots(w: PlanWorld): Slot[] {
  const home = at(w.regions.districts, 0);
  const county = at(w.regions.districts, 3);
  const demoSchool = w.accounts.demoSchool;
  const ruralSchool = at(w.orgs.schools, 3);
  return [
    { archetype: 'nationalBackbone', status: 'credited', demoTrainer: true },
    { archetype: 'distanceTraining', status: 'credited', district: home, byCentre: true },
    { archetype: 'ethicsOnline', status: 'credited' },
    { archetype: 'openClass', status: 'credited', school: demoSchool },
    { archetype: 'mentoring', status: 'credited' },
    { archetype: 'observation', status: 'credited', focus: { stage: 'primary', subject: '数学' } },
    { archetype: 'classTeacher', status: 'credited', district: home },
    { archetype: 'ruralSupport', status: 'credited' },
    { archetype: 'generalOnline', status: 'credited' },
    { archetype: 'newTeacherInduction', status: 'archived' },
    {
      archetype: 'subjectWorkshop',
      status: 'archived',
      district: county,
      focus: { stage: 'primary', subject: '语文' },
    },
    { archetype: 'schoolStudy', status: 'closed', school: ruralSchool },
    {
      archetype: 'subjectWorkshop',
      status: 'closed',
      district: at(w.regions.districts, 1),
      focus: { stage: 'primary', subject: '语文' },
    },
    { archetype: 'principalForum', status: 'closed' },
    {
      archetype: 'distanceTraining',
      status: 'in_progress',
      district: home,
      byCentre: true,
      demoTrainer: true,
      startOffset: -2,
    },
    {
      archetype: 'classTeacher',
      status: 'in_progress',
      byCentre: true,
      demoTrainer: true,
      startOffset: -1,
      days: 3,
    },
    { archetype: 'mentoring', status: 'in_progress', school: demoSchool, startOffset: -9 * 7 },
    { archetype: 'openClass', status: 'in_progress', school: demoSchool, startOffset: -14 },
    { archetype: 'generalOnline', status: 'in_progress', startOffset: -3 },
    { archetype: 'nationalBackbone', status: 'open' },
    { archetype: 'observation', status: 'open', focus: { stage: 'primary', subject: '语文' } },
    { archetype: 'distanceTraining', status: 'open', district: at(w.regions.districts, 1) },
    { archetype: 'newTeacherInduction', status: 'open' },
    { archetype: 'schoolStudy', status: 'open', school: demoSchool },
    { archetype: 'ruralSupport', status: 'approved' },
    { archetype: 'subjectWorkshop', status: 'approved', district: home },
    {
      archetype: 'subjectWorkshop',
      status: 'submitted',
      district: home,
      focus: { stage: 'primary', subject: '数学' },
    },
    { archetype: 'classTeacher', status: 'submitted', district: home },
    { archetype: 'observation', status: 'rejected' },
    { archetype: 'generalOnline', status: 'rejected' },
    { archetype: 'ethicsOnline', status: 'draft' },
    { archetype: 'mentoring', status: 'draft' },
  ];
}

const extraArchetypes: readonly (readonly [Archetype, number])[] = [
  ['subjectWorkshop', 20],
  ['openClass', 15],
  ['schoolStudy', 15],
  ['mentoring', 10],
  ['distanceTraining', 8],
  ['observation', 8],
  ['classTeacher', 6],
  ['ethicsOnline', 2],
  ['generalOnline', 2],
  ['newTeacherInduction', 2],
  ['ruralSupport', 3],
  ['nationalBackbone', 2],
  ['principalForum', 2],
];

/** Most of a registry's history is behind it: credited activities dominate. */
const extraStatuses: readonly (readonly [ActivityStatus, number])[] = [
  ['credited', 40],
  ['archived', 10],
  ['closed', 8],
  ['in_progress', 12],
  ['open', 12],
  ['approved', 5],
  ['submitted', 5],
  ['rejected', 3],
  ['draft', 5],
];

/** ~1 activity per 40 teachers, never fewer than the hand-placed ones. */
export function activityCountFor(teachers: number, curated: number): number {
  return Math.max(curated, Math.round(teachers / 40));
}

// --- dates and lifecycle -------------------------------------------------------------------

function firstDayFor(
  status: ActivityStatus,
  span: number,
  random: Random,
  calendar: Calendar,
): string {
  switch (status) {
    case 'draft':
      return calendar.day(random.int(30, 90));
    case 'submitted':
      return calendar.day(random.int(14, 45));
    case 'rejected':
      return calendar.day(random.int(10, 40));
    case 'approved':
      return calendar.day(random.int(10, 30));
    case 'open':
      return calendar.day(random.int(3, 25));
    case 'in_progress':
      // Started, not finished: at least one session behind and today not after the last.
      return span === 0 ? calendar.today : calendar.day(-random.int(1, span));
    case 'closed':
      return calendar.day(-random.int(2, 14) - span);
    case 'credited':
      return calendar.day(-random.int(20, 320) - span);
    case 'archived':
      return calendar.day(-random.int(330, 700) - span);
  }
}

const minDate = (a: string, b: string) => (a < b ? a : b);
const maxDate = (a: string, b: string) => (a > b ? a : b);
const clock = (random: Random, fromHour: number, toHour: number) =>
  `${String(random.int(fromHour, toHour)).padStart(2, '0')}:${String(random.int(0, 59)).padStart(2, '0')}`;

/**
 * Created some weeks before the start (never after today), decided by the office a few days
 * later, last updated by whatever step of the lifecycle it reached. `version` counts the steps,
 * as every update bumps it.
 */
function lifecycle(
  status: ActivityStatus,
  startsOn: string,
  endsOn: string,
  random: Random,
  calendar: Calendar,
) {
  const step = activityStatuses.indexOf(status);
  const created = minDate(addDays(startsOn, -random.int(20, 45)), calendar.day(-random.int(1, 8)));
  const createdAt = timestampAt(created, clock(random, 8, 11));
  const decided =
    status === 'draft' || status === 'submitted'
      ? null
      : maxDate(
          created,
          minDate(
            addDays(created, random.int(2, 6)),
            minDate(calendar.day(-1), addDays(startsOn, -1)),
          ),
        );
  const decidedAt = decided ? timestampAt(decided, clock(random, 14, 17)) : null;
  const updatedAt = (() => {
    switch (status) {
      case 'draft':
        return createdAt;
      case 'submitted':
        return timestampAt(minDate(addDays(created, 1), calendar.today), '09:30');
      case 'approved':
      case 'rejected':
        return decidedAt ?? createdAt;
      case 'open':
        return timestampAt(
          maxDate(created, minDate(addDays(decided ?? created, 1), calendar.today)),
          '18:00',
        );
      case 'in_progress':
        return timestampAt(startsOn, '07:30');
      case 'closed':
        return timestampAt(addDays(endsOn, 1), '18:00');
      case 'credited':
        return timestampAt(addDays(endsOn, 5), '10:30');
      case 'archived':
        return timestampAt(addDays(endsOn, 60), '10:00');
    }
  })();
  // draft 1, submitted 2, approved/rejected 3, open 4, in_progress 5, closed 6, credited 7, archived 8
  const version =
    status === 'approved' || status === 'rejected' ? 3 : step + 1 - (step > 3 ? 1 : 0);
  return { createdAt, decidedAt, updatedAt, version };
}

// --- planning ------------------------------------------------------------------------------

export function planActivities(
  ctx: SeedContext,
  regions: RegionTree,
  orgs: OrganizationSet,
  teachers: Teacher[],
  trainers: TrainerSet,
  accounts: AccountSet,
): ActivityPlan[] {
  const random = ctx.random.fork('activities');
  const teachersByDistrict = new Map<number, Teacher[]>();
  for (const teacher of teachers) {
    const list = teachersByDistrict.get(teacher.school.district.id);
    if (list) list.push(teacher);
    else teachersByDistrict.set(teacher.school.district.id, [teacher]);
  }
  const w: PlanWorld = {
    calendar: ctx.calendar,
    regions,
    orgs,
    teachers,
    teachersByDistrict,
    trainers,
    accounts,
  };
  const curated = curatedSlots(w);
  const total = activityCountFor(ctx.teacherCount, curated.length);
  const slots = [...curated];
  while (slots.length < total) {
    slots.push({
      archetype: random.weighted(extraArchetypes),
      status: random.weighted(extraStatuses),
    });
  }
  return slots.map((slot, index) => planOne(w, slot, index, index < curated.length, random));
}

function planOne(
  w: PlanWorld,
  slot: Slot,
  index: number,
  curated: boolean,
  random: Random,
): ActivityPlan {
  const shape = archetypes[slot.archetype](w, slot, random);
  const startsOn =
    slot.startOffset !== undefined
      ? w.calendar.day(slot.startOffset)
      : firstDayFor(slot.status, shape.span, random, w.calendar);
  const endsOn = addDays(startsOn, shape.span);
  const sessions = assignTrainers(
    shape.sessions(startsOn),
    shape.leads,
    slot.demoTrainer ? w.trainers.demo : null,
    random,
  );
  const { createdAt, decidedAt, updatedAt, version } = lifecycle(
    slot.status,
    startsOn,
    endsOn,
    random,
    w.calendar,
  );
  const office = w.orgs.officeByRegion.get(shape.regionId);
  const officer = office ? (w.accounts.officerByOrganization.get(office.id) ?? null) : null;
  const sessionHours = sessions.reduce((sum, s) => sum + s.hours, 0);
  return {
    id: 0,
    code: `LJ${yearOf(startsOn)}-${String(index + 1).padStart(5, '0')}`,
    archetype: slot.archetype,
    title: shape.title(startsOn),
    description: shape.description,
    provider: shape.provider,
    regionId: shape.regionId,
    category: shape.category,
    level: shape.level,
    mode: shape.mode,
    creditHours: shape.creditHours ?? Math.round(sessionHours * 100) / 100,
    capacity: shape.capacity,
    selfEnrollment: shape.selfEnrollment,
    // Parsed on the way in, exactly as the repository does: what is stored always parses.
    eligibility: eligibilityRulesSchema.parse(shape.eligibility),
    completion: completionRulesSchema.parse(shape.completion),
    status: slot.status,
    rejectionReason: slot.status === 'rejected' ? random.pick(rejectionReasons) : null,
    startsOn,
    endsOn,
    createdBy:
      w.accounts.institutionAdminByOrganization.get(shape.provider.id) ??
      w.accounts.schoolAdminBySchool.get(shape.provider.id) ??
      null,
    createdAt,
    decidedBy: decidedAt ? officer : null,
    decidedAt,
    updatedAt,
    version,
    sessions,
    assignments: shape.assignments(startsOn),
    pool: shape.pool,
    reach: shape.reach,
    curated,
  };
}

/**
 * One to three trainers take turns leading; a second one assists at in-person days; online
 * blocks have a tutor. The demo trainer, when asked for, leads (or tutors) every session.
 */
function assignTrainers(
  sessions: Omit<SessionPlan, 'trainers'>[],
  leads: Trainer[],
  demo: Trainer | null,
  random: Random,
): SessionPlan[] {
  const pool = random.shuffle([...leads]);
  const rotation = demo
    ? [demo]
    : pool.slice(0, Math.max(1, Math.min(pool.length, random.int(1, 3))));
  if (rotation.length === 0) throw new Error('no trainer to lead sessions');
  const assistant = pool.find((t) => !rotation.includes(t)) ?? null;
  return sessions.map((session, i) => {
    const lead = at(rotation, i % rotation.length);
    const trainers: SessionPlan['trainers'] = [
      { trainer: lead, role: session.mode === 'online' ? 'tutor' : 'lead' },
    ];
    if (session.mode === 'in_person' && session.hours >= 6 && assistant && assistant !== lead) {
      trainers.push({ trainer: assistant, role: 'assistant' });
    }
    return { ...session, trainers };
  });
}

// --- writing -------------------------------------------------------------------------------

const approvedStatuses: ReadonlySet<ActivityStatus> = new Set([
  'approved',
  'open',
  'in_progress',
  'closed',
  'credited',
  'archived',
]);

export async function insertActivities(ctx: SeedContext, plans: ActivityPlan[]): Promise<void> {
  const ids = await insertRows(
    ctx.db,
    'activities',
    {
      code: 'text',
      title: 'text',
      description: 'text',
      provider_id: 'int4',
      region_id: 'int4',
      category: 'text',
      level: 'text',
      delivery_mode: 'text',
      credit_hours: 'numeric',
      capacity: 'int4',
      self_enrollment: 'bool',
      eligibility_rules: 'jsonb',
      completion_rules: 'jsonb',
      status: 'text',
      rejection_reason: 'text',
      starts_on: 'date',
      ends_on: 'date',
      created_by: 'int4',
      approved_by: 'int4',
      approved_at: 'timestamptz',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
      version: 'int4',
    },
    plans.map((p) => {
      const approved = approvedStatuses.has(p.status);
      return {
        code: p.code,
        title: p.title,
        description: p.description,
        provider_id: p.provider.id,
        region_id: p.regionId,
        category: p.category,
        level: p.level,
        delivery_mode: p.mode,
        credit_hours: p.creditHours,
        capacity: p.capacity,
        self_enrollment: p.selfEnrollment,
        eligibility_rules: JSON.stringify(p.eligibility),
        completion_rules: JSON.stringify(p.completion),
        status: p.status,
        rejection_reason: p.rejectionReason,
        starts_on: p.startsOn,
        ends_on: p.endsOn,
        created_by: p.createdBy,
        approved_by: approved ? p.decidedBy : null,
        approved_at: approved ? p.decidedAt : null,
        created_at: p.createdAt,
        updated_at: p.updatedAt,
        version: p.version,
      };
    }),
    { returning: 'id' },
  );
  plans.forEach((plan, i) => {
    plan.id = at(ids, i);
  });

  const sessions = plans.flatMap((plan) =>
    plan.sessions.map((session, i) => ({ plan, session, sequence: i + 1 })),
  );
  const sessionIds = await insertRows(
    ctx.db,
    'sessions',
    {
      activity_id: 'int4',
      sequence: 'int4',
      title: 'text',
      mode: 'text',
      starts_at: 'timestamptz',
      ends_at: 'timestamptz',
      hours: 'numeric',
      location: 'text',
      online_min_minutes: 'int4',
    },
    sessions.map(({ plan, session, sequence }) => ({
      activity_id: plan.id,
      sequence,
      title: session.title,
      mode: session.mode,
      starts_at: session.startsAt,
      ends_at: session.endsAt,
      hours: session.hours,
      location: session.location,
      online_min_minutes: session.onlineMinMinutes,
    })),
    { returning: 'id' },
  );
  await insertRows(
    ctx.db,
    'session_trainers',
    { session_id: 'int4', trainer_id: 'int4', role: 'text' },
    sessions.flatMap(({ session }, i) =>
      session.trainers.map((t) => ({
        session_id: at(sessionIds, i),
        trainer_id: t.trainer.id,
        role: t.role,
      })),
    ),
  );
  await insertRows(
    ctx.db,
    'assignments',
    { activity_id: 'int4', title: 'text', due_at: 'timestamptz' },
    plans.flatMap((plan) =>
      plan.assignments.map((a) => ({ activity_id: plan.id, title: a.title, due_at: a.dueAt })),
    ),
  );
}

/**
 * The office's decisions, as the API would have logged them: who approved or rejected which
 * activity, when, with the status before and after.
 */
export async function insertApprovalAudit(ctx: SeedContext, plans: ActivityPlan[]): Promise<void> {
  const decided = plans
    .filter((p) => p.decidedAt !== null)
    .sort((a, b) => (a.decidedAt ?? '').localeCompare(b.decidedAt ?? '') || a.id - b.id);
  await insertRows(
    ctx.db,
    'audit_log',
    {
      occurred_at: 'timestamptz',
      actor_id: 'int4',
      action: 'text',
      entity_type: 'text',
      entity_id: 'text',
      before: 'jsonb',
      after: 'jsonb',
    },
    decided.map((p) => {
      const rejected = p.status === 'rejected';
      return {
        occurred_at: p.decidedAt,
        actor_id: p.decidedBy,
        action: rejected ? 'activity.rejected' : 'activity.approved',
        entity_type: 'activity',
        entity_id: String(p.id),
        before: { status: 'submitted', version: 2 },
        after: rejected
          ? { status: 'rejected', rejectionReason: p.rejectionReason, version: 3 }
          : { status: 'approved', approvedBy: p.decidedBy, approvedAt: p.decidedAt, version: 3 },
      };
    }),
  );
}
