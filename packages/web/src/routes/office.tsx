import type { RouteEntry } from './route-entry';

/** Screens of the office area. */
export const officeRoutes: RouteEntry[] = [];
