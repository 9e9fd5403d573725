import type { ServerResponse } from 'node:http';
import { reportDimensions, type ReportDimension } from '@registry/db';
import { todayInChina, type Role } from '@registry/domain';
import { GraphQLError } from 'graphql';
import type { Context } from '../context';
import { percent, toCsv } from '../modules/reports/csv';
import { header, type Column } from '../modules/reports/report-labels';
import { reportPeriod, parseReportDate } from '../modules/reports/report-period';
import {
  expectedHours,
  loadActivityFigures,
  loadTeachersBehind,
} from '../modules/reports/report-figures';
import type { Route, RouteRequest } from './routes';

/**
 * CSV exports of the reports (issue 4, point 9): the same figures as the GraphQL report
 * fields, under the same visibility, as files a spreadsheet opens with Chinese intact.
 *
 *   GET /reports/activities.csv?from=2026-01-01&to=2026-12-31&by=region[&regionId=…]
 *   GET /reports/teachers-behind.csv[?asOf=2026-06-30][&regionId=…]
 *
 * No session → 401; a role without the report → 403; bad parameters → 400 naming the field.
 */

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  field?: string,
) {
  sendJson(res, status, {
    errors: [{ message, extensions: { code, ...(field ? { field } : {}) } }],
  });
}

function sendCsv(res: ServerResponse, fileName: string, body: string) {
  res.statusCode = 200;
  res.setHeader('content-type', 'text/csv; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="${fileName}"`);
  // Reports are personal to the caller's reach: never cached by a shared proxy.
  res.setHeader('cache-control', 'private, no-store');
  res.end(body);
}

/**
 * The caller's context when they may have this report; otherwise answers 401 or 403 and
 * returns null. Roles mirror the GraphQL fields' auth scopes.
 */
async function authorized(request: RouteRequest, roles: readonly Role[]): Promise<Context | null> {
  const context = await request.context();
  if (!context.viewer) {
    sendError(request.res, 401, 'UNAUTHENTICATED', 'Sign in first.');
    return null;
  }
  if (!context.viewer.memberships.some((m) => roles.includes(m.role))) {
    sendError(
      request.res,
      403,
      'FORBIDDEN',
      context.locale === 'zh-CN' ? '您无权查看此报表。' : 'You may not see this report.',
    );
    return null;
  }
  return context;
}

/** Runs a handler, answering its bad-input errors as 400 with the field they name. */
async function answering(request: RouteRequest, work: () => Promise<void>) {
  try {
    await work();
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === 'BAD_USER_INPUT') {
      const field = error.extensions.field;
      sendError(
        request.res,
        400,
        'BAD_USER_INPUT',
        error.message,
        typeof field === 'string' ? field : undefined,
      );
      return;
    }
    throw error;
  }
}

const dimensionColumn: Record<ReportDimension, Column> = {
  region: 'region',
  provider: 'provider',
  category: 'category',
  level: 'level',
  month: 'month',
  year: 'year',
};

const activitiesRoute: Route = {
  method: 'GET',
  path: '/reports/activities.csv',
  handle: (request) =>
    answering(request, async () => {
      const context = await authorized(request, [
        'platform_admin',
        'office_officer',
        'school_admin',
        'institution_admin',
      ]);
      if (!context) return;
      const query = request.url.searchParams;
      const by = query.get('by') ?? 'region';
      if (!(reportDimensions as readonly string[]).includes(by)) {
        throw new GraphQLError(
          context.locale === 'zh-CN'
            ? `by 应为 ${reportDimensions.join('、')} 之一`
            : `by must be one of ${reportDimensions.join(', ')}`,
          { extensions: { code: 'BAD_USER_INPUT', field: 'by' } },
        );
      }
      const dimension = by as ReportDimension;
      const period = await reportPeriod(
        {
          from: parseReportDate(query.get('from'), 'from', context),
          to: parseReportDate(query.get('to'), 'to', context),
          regionId: query.get('regionId'),
        },
        context,
      );
      const rows = await loadActivityFigures(context, period, dimension);
      const columns: Column[] = [
        dimensionColumn[dimension],
        'activities',
        'participants',
        'teachers',
        'completed',
        'decided',
        'completionRate',
        'hoursAwarded',
        'homeworkDue',
        'homeworkOnTime',
        'homeworkOnTimeRate',
        'ratings',
        'averageRating',
      ];
      sendCsv(
        request.res,
        `activities-by-${dimension}-${period.from}-${period.to}.csv`,
        toCsv(
          header(columns, context.locale),
          rows.map((row) => [
            row.label,
            row.activities,
            row.participants,
            row.teachers,
            row.completed,
            row.decided,
            percent(row.completionRate),
            row.hoursAwarded,
            row.homeworkDue,
            row.homeworkOnTime,
            percent(row.homeworkOnTimeRate),
            row.ratings,
            row.averageRating,
          ]),
        ),
      );
    }),
};

const teachersBehindRoute: Route = {
  method: 'GET',
  path: '/reports/teachers-behind.csv',
  handle: (request) =>
    answering(request, async () => {
      const context = await authorized(request, [
        'platform_admin',
        'office_officer',
        'school_admin',
      ]);
      if (!context) return;
      const query = request.url.searchParams;
      const asOf = query.has('asOf')
        ? parseReportDate(query.get('asOf'), 'asOf', context)
        : todayInChina();
      // The same checks as a report period of one day, so the region is resolved one way.
      const period = await reportPeriod(
        { from: asOf, to: asOf, regionId: query.get('regionId') },
        context,
      );
      const rows = await loadTeachersBehind(context, asOf, period.regionPath);
      const columns: Column[] = [
        'nationalId',
        'name',
        'school',
        'policy',
        'required',
        'counted',
        'expected',
        'remaining',
        'categoriesBehind',
      ];
      sendCsv(
        request.res,
        `teachers-behind-${asOf}.csv`,
        toCsv(
          header(columns, context.locale),
          rows.map((row) => [
            row.nationalId,
            row.name,
            row.schoolName,
            row.policy.name,
            row.progress.total.required,
            row.progress.total.counted,
            expectedHours(row),
            row.progress.total.remaining,
            row.categoriesBehind.join(' '),
          ]),
        ),
      );
    }),
};

export const reportRoutes: Route[] = [activitiesRoute, teachersBehindRoute];
