/**
 * The registry's closed vocabularies. The same literals are used in SQL CHECK constraints,
 * TypeScript unions, GraphQL enums and UI labels (see the glossary in DESIGN.md).
 * Adding a value here requires a migration that widens the matching CHECK constraint.
 */

export const regionKinds = ['province', 'city', 'district'] as const;
export type RegionKind = (typeof regionKinds)[number];

export const organizationKinds = ['education_office', 'training_institution', 'school'] as const;
export type OrganizationKind = (typeof organizationKinds)[number];

export const roles = [
  'platform_admin',
  'office_officer',
  'institution_admin',
  'trainer',
  'school_admin',
  'teacher',
] as const;
export type Role = (typeof roles)[number];

export const stages = ['primary', 'junior', 'senior'] as const;
export type Stage = (typeof stages)[number];

export const roleTags = ['new_teacher', 'backbone_teacher', 'class_teacher', 'principal'] as const;
export type RoleTag = (typeof roleTags)[number];

export const trainerKinds = ['expert', 'famous_teacher', 'backbone_teacher', 'mentor'] as const;
export type TrainerKind = (typeof trainerKinds)[number];

export const activityLevels = [
  'national',
  'provincial',
  'municipal',
  'district',
  'school',
] as const;
export type ActivityLevel = (typeof activityLevels)[number];

export const deliveryModes = [
  'centralized',
  'online',
  'blended',
  'school_based',
  'mentoring',
  'observation',
] as const;
export type DeliveryMode = (typeof deliveryModes)[number];

/** Lifecycle: draft → submitted → approved | rejected → open → in_progress → closed → credited → archived. */
export const activityStatuses = [
  'draft',
  'submitted',
  'approved',
  'rejected',
  'open',
  'in_progress',
  'closed',
  'credited',
  'archived',
] as const;
export type ActivityStatus = (typeof activityStatuses)[number];

export const sessionModes = ['in_person', 'online'] as const;
export type SessionMode = (typeof sessionModes)[number];

export const enrollmentStatuses = [
  'registered',
  'eligibility_confirmed',
  'eligibility_rejected',
  'substituted',
  'withdrawn',
  'completed',
  'not_completed',
] as const;
export type EnrollmentStatus = (typeof enrollmentStatuses)[number];

export const enrollmentSources = ['self', 'school', 'institution'] as const;
export type EnrollmentSource = (typeof enrollmentSources)[number];

export const attendanceStatuses = ['present', 'late', 'absent', 'excused'] as const;
export type AttendanceStatus = (typeof attendanceStatuses)[number];

export const attendanceSources = ['sign_in', 'trainer', 'import', 'online_platform'] as const;
export type AttendanceSource = (typeof attendanceSources)[number];

export const assessmentResults = ['fail', 'qualified', 'excellent'] as const;
export type AssessmentResult = (typeof assessmentResults)[number];

export const confirmationLevels = ['school', 'office'] as const;
export type ConfirmationLevel = (typeof confirmationLevels)[number];

export const ledgerEntryKinds = ['award', 'adjustment', 'revocation'] as const;
export type LedgerEntryKind = (typeof ledgerEntryKinds)[number];

export const certificateKinds = ['completion', 'transcript'] as const;
export type CertificateKind = (typeof certificateKinds)[number];

/** Longest plausible study block for one teacher in one session: a day. */
export const maxSessionMinutes = 24 * 60;
