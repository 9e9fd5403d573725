import type { Route } from './routes';

/** CSV exports of the reports (issue 4, point 9). */
export const reportRoutes: Route[] = [];
