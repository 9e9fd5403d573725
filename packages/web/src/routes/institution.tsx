import { lazy } from 'react';
import type { RouteEntry } from './route-entry';

const providers = ['INSTITUTION_ADMIN', 'SCHOOL_ADMIN', 'PLATFORM_ADMIN'] as const;

/** Screens of the institution area. */
export const institutionRoutes: RouteEntry[] = [
  {
    path: '/institution/activities/new',
    screen: lazy(() =>
      import('../screens/institution/activity-editor').then((m) => ({
        default: m.NewActivityScreen,
      })),
    ),
    roles: providers,
    nav: 'inst.nav.new',
  },
  {
    path: '/institution/activities/:id/edit',
    screen: lazy(() =>
      import('../screens/institution/activity-editor').then((m) => ({
        default: m.EditActivityScreen,
      })),
    ),
    roles: providers,
  },
  {
    path: '/institution/activities/:id/roster',
    screen: lazy(() => import('../screens/institution/activity-roster')),
    roles: providers,
  },
];
