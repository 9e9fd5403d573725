import { lazy } from 'react';
import type { RouteEntry } from './route-entry';

/**
 * Screens of the people area: schools (eligibility and attendance confirmation, their teachers'
 * credit status), trainers (today's sessions, check-in code, attendance grid), teachers
 * (progress, transcript, certificates, check-in and ratings) and the public certificate check.
 */
export const peopleRoutes: RouteEntry[] = [
  {
    path: '/school/eligibility',
    screen: lazy(() => import('../screens/people/school-eligibility')),
    roles: ['SCHOOL_ADMIN'],
    nav: 'people.nav.eligibility',
  },
  {
    path: '/school/attendance',
    screen: lazy(() => import('../screens/people/school-attendance')),
    roles: ['SCHOOL_ADMIN'],
    nav: 'people.nav.schoolAttendance',
  },
  {
    path: '/school/teachers',
    screen: lazy(() => import('../screens/people/school-teachers')),
    roles: ['SCHOOL_ADMIN'],
    nav: 'people.nav.teachers',
  },
  {
    path: '/sessions/today',
    screen: lazy(() => import('../screens/people/trainer-sessions')),
    roles: ['TRAINER'],
    nav: 'people.nav.sessionsToday',
  },
  {
    path: '/sessions/:id/checkin',
    screen: lazy(() => import('../screens/people/session-checkin-code')),
    roles: ['TRAINER', 'INSTITUTION_ADMIN'],
  },
  {
    path: '/sessions/:id/attendance',
    screen: lazy(() => import('../screens/people/attendance-grid')),
    roles: ['TRAINER', 'INSTITUTION_ADMIN'],
  },
  {
    path: '/me/progress',
    screen: lazy(() => import('../screens/people/my-progress')),
    roles: ['TEACHER'],
    nav: 'people.nav.progress',
  },
  {
    path: '/me/activities',
    screen: lazy(() => import('../screens/people/my-activities')),
    roles: ['TEACHER'],
    nav: 'people.nav.myActivities',
  },
  {
    path: '/me/transcript',
    screen: lazy(() => import('../screens/people/my-transcript')),
    roles: ['TEACHER'],
    nav: 'people.nav.transcript',
  },
  {
    path: '/me/certificates',
    screen: lazy(() => import('../screens/people/my-certificates')),
    roles: ['TEACHER'],
    nav: 'people.nav.certificates',
  },
  {
    // Only the exact path: /verify/<code> is the gateway's own page for QR links.
    path: '/verify',
    screen: lazy(() => import('../screens/people/verify-certificate')),
    roles: [
      'PLATFORM_ADMIN',
      'OFFICE_OFFICER',
      'INSTITUTION_ADMIN',
      'TRAINER',
      'SCHOOL_ADMIN',
      'TEACHER',
    ],
    public: true,
  },
];
