import type { RouteEntry } from './route-entry';

/** Screens of the institution area. */
export const institutionRoutes: RouteEntry[] = [];
