import {
  activityLevels,
  activityStatuses,
  assessmentResults,
  attendanceSources,
  attendanceStatuses,
  certificateKinds,
  confirmationLevels,
  deliveryModes,
  enrollmentSources,
  enrollmentStatuses,
  ledgerEntryKinds,
  organizationKinds,
  regionKinds,
  roleTags,
  sessionModes,
  stages,
  trainerKinds,
} from '@registry/domain';
import { builder } from '../builder';

/**
 * GraphQL enums are the domain vocabularies in SCREAMING_CASE; resolvers see the domain's
 * own lower-case literals, so nothing converts by hand.
 */
function vocabularyEnum<const T extends string>(
  name: string,
  values: readonly T[],
  description: string,
) {
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(
      values.map((value) => [
        value.toUpperCase(),
        { value, description: value.replace(/_/g, ' ') },
      ]),
    ) as unknown as Record<Uppercase<T>, { value: T }>,
  });
}

export const ActivityStatusEnum = vocabularyEnum(
  'ActivityStatus',
  activityStatuses,
  'Where an activity is in its lifecycle: draft → submitted → approved (or rejected) → open → in progress → closed → credited → archived.',
);
export const ActivityLevelEnum = vocabularyEnum(
  'ActivityLevel',
  activityLevels,
  'The administrative level that runs an activity.',
);
export const DeliveryModeEnum = vocabularyEnum(
  'DeliveryMode',
  deliveryModes,
  'How an activity is delivered; credit conversion may depend on it.',
);
export const SessionModeEnum = vocabularyEnum(
  'SessionMode',
  sessionModes,
  'Whether a session meets in person or is an online study block.',
);
export const TrainerKindEnum = vocabularyEnum(
  'TrainerKind',
  trainerKinds,
  'The kind of person teaching or tutoring.',
);
export const OrganizationKindEnum = vocabularyEnum(
  'OrganizationKind',
  organizationKinds,
  'Education office, training institution or school.',
);
export const RegionKindEnum = vocabularyEnum(
  'RegionKind',
  regionKinds,
  'Level of a region in the province > city > district tree.',
);
export const StageEnum = vocabularyEnum(
  'Stage',
  stages,
  'School stage: primary, junior or senior.',
);
export const RoleTagEnum = vocabularyEnum(
  'RoleTag',
  roleTags,
  'A role a teacher holds at school: new teacher, backbone teacher, class teacher, principal.',
);
export const EnrollmentStatusEnum = vocabularyEnum(
  'EnrollmentStatus',
  enrollmentStatuses,
  'Where a participant stands: registered, eligibility confirmed or rejected, substituted, withdrawn, completed, not completed.',
);
export const EnrollmentSourceEnum = vocabularyEnum(
  'EnrollmentSource',
  enrollmentSources,
  'Who enrolled the teacher: the teacher, the school or the institution.',
);
export const AttendanceStatusEnum = vocabularyEnum(
  'AttendanceStatus',
  attendanceStatuses,
  'Present, late, absent or excused.',
);
export const AttendanceSourceEnum = vocabularyEnum(
  'AttendanceSource',
  attendanceSources,
  'How attendance was recorded: self sign-in, the trainer, an import or the online platform.',
);
export const AssessmentResultEnum = vocabularyEnum(
  'AssessmentResult',
  assessmentResults,
  'Final assessment: fail, qualified or excellent.',
);
export const ConfirmationLevelEnum = vocabularyEnum(
  'ConfirmationLevel',
  confirmationLevels,
  'Who signed: the school (its own teachers) or the education office (the whole roster).',
);
export const LedgerEntryKindEnum = vocabularyEnum(
  'LedgerEntryKind',
  ledgerEntryKinds,
  'Award, adjustment or revocation. Corrections are new entries, never edits.',
);
export const CertificateKindEnum = vocabularyEnum(
  'CertificateKind',
  certificateKinds,
  'A completion certificate for one activity, or a transcript for one cycle.',
);
