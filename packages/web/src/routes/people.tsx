import type { RouteEntry } from './route-entry';

/** Screens of the people area. */
export const peopleRoutes: RouteEntry[] = [];
