import { nobody, type Account, type Visibility } from '@registry/db';

/** Turns a caller's memberships into what they may see (see packages/db visibility.ts). */
export function visibilityOf(viewer: Account | null): Visibility {
  if (!viewer) return nobody;
  const v: Visibility = {
    ...nobody,
    officeRegionPaths: [],
    institutionIds: [],
    trainerInstitutionIds: [],
    schoolIds: [],
    schoolRegionPaths: [],
  };
  for (const membership of viewer.memberships) {
    switch (membership.role) {
      case 'platform_admin':
        v.all = true;
        break;
      case 'office_officer':
        if (membership.regionPath) v.officeRegionPaths.push(membership.regionPath);
        break;
      case 'institution_admin':
        if (membership.organizationId) v.institutionIds.push(membership.organizationId);
        break;
      case 'trainer':
        if (membership.organizationId) v.trainerInstitutionIds.push(membership.organizationId);
        v.trainerId = viewer.trainerId;
        break;
      case 'school_admin':
        if (membership.organizationId) v.schoolIds.push(membership.organizationId);
        if (membership.regionPath) v.schoolRegionPaths.push(membership.regionPath);
        break;
      case 'teacher':
        v.teacherId = viewer.teacherId;
        v.teacherRegionPath = membership.regionPath;
        break;
      default: {
        const unknownRole: never = membership.role;
        throw new Error(`unknown role ${String(unknownRole)}`);
      }
    }
  }
  return v;
}
