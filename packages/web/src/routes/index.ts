import { institutionRoutes } from './institution';
import { officeRoutes } from './office';
import { peopleRoutes } from './people';
import type { RouteEntry } from './route-entry';

export type { RouteEntry, Role } from './route-entry';

/** Every area's screens; earlier entries win when two patterns match. */
export const allRoutes: RouteEntry[] = [...institutionRoutes, ...officeRoutes, ...peopleRoutes];
