import { lazy } from 'react';
import type { RouteEntry } from './route-entry';

const office = ['OFFICE_OFFICER', 'PLATFORM_ADMIN'] as const;

/** Screens of the office area. */
export const officeRoutes: RouteEntry[] = [
  {
    path: '/office/approvals',
    screen: lazy(() => import('../screens/office/approval-queue')),
    roles: office,
    nav: 'office.nav.approvals',
  },
  {
    path: '/office/rosters',
    screen: lazy(() => import('../screens/office/roster-queue')),
    roles: office,
    nav: 'office.nav.rosters',
  },
  {
    path: '/office/reports',
    screen: lazy(() => import('../screens/office/reports')),
    roles: office,
    nav: 'office.nav.reports',
  },
];
