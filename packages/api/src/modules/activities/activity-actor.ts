import type { Activity } from '@registry/db';
import type { Actor, Role } from '@registry/domain';
import type { Context } from '../../context';

/**
 * The roles the caller holds *for this activity*: provider roles only for its provider, the
 * office role only for an office whose region contains the activity's region, and platform
 * admin everywhere. The lifecycle and edit rules decide on these, never on roles held elsewhere.
 */
export async function actorFor(context: Context, activity: Activity): Promise<Actor> {
  const memberships = context.viewer?.memberships ?? [];
  // Only an office role depends on where the activity is: others skip the lookup (one
  // statement fewer on every write of an admin or a provider).
  const region = memberships.some((m) => m.role === 'office_officer')
    ? await context.loaders.region.load(activity.regionId)
    : null;
  const roles = new Set<Role>();
  for (const membership of memberships) {
    if (membership.role === 'platform_admin') roles.add('platform_admin');
    if (
      (membership.role === 'institution_admin' || membership.role === 'school_admin') &&
      membership.organizationId === activity.providerId
    ) {
      roles.add(membership.role);
    }
    if (
      membership.role === 'office_officer' &&
      membership.regionPath !== null &&
      region !== null &&
      region.path.startsWith(membership.regionPath)
    ) {
      roles.add('office_officer');
    }
  }
  return { roles: [...roles] };
}
