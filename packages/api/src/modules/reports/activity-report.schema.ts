import { reportDimensions, type ReportDimension } from '@registry/db';
import { todayInChina } from '@registry/domain';
import { audience, builder } from '../../builder';
import { ActivityLevelEnum } from '../enums';
import {
  CreditCategoryRef,
  OrganizationRef,
  RegionRef,
} from '../organizations/organization.schema';
import { RequirementPolicyRef } from '../credits/policy.schema';
import { sliceConnection } from '../pagination';
import { TeacherRef } from '../teachers/teacher.schema';
import { CreditReportRef } from './report.schema';
import {
  expectedHours,
  loadActivityFigures,
  loadTeachersBehind,
  type ActivityFiguresRow,
} from './report-figures';
import type { TeacherBehind } from './teachers-behind';

const dimensionDescriptions: Record<ReportDimension, string> = {
  region: 'The region the activity is offered in.',
  provider: 'The training institution or school that runs it.',
  category: 'Its credit category.',
  level: 'Its level: national to school.',
  month: 'The month of its last day.',
  year: 'The year of its last day.',
};

export const ReportDimensionEnum = builder.enumType('ReportDimension', {
  description: 'What activity figures are grouped by.',
  values: Object.fromEntries(
    reportDimensions.map((d) => [
      d.toUpperCase(),
      { value: d, description: dimensionDescriptions[d] },
    ]),
  ) as Record<Uppercase<ReportDimension>, { value: ReportDimension; description: string }>,
});

const numericId = (row: ActivityFiguresRow, dimension: ReportDimension) =>
  row.dimension === dimension ? Number(row.key) : null;

const ActivityFiguresRef = builder.objectRef<ActivityFiguresRow>('ActivityFigures').implement({
  extensions: audience.signedIn,
  description:
    'Activities ending in the period and what came of them, for one region, provider, category, level or period, over what the caller may see.',
  fields: (t) => ({
    key: t.exposeString('key', {
      description: 'What the row groups by: a code, a period (2026-03, 2026) or a local id.',
    }),
    label: t.exposeString('label', {
      description: 'The group as people name it, in the language of Accept-Language.',
    }),
    region: t.field({
      type: RegionRef,
      nullable: true,
      description: 'The region, when grouped by region.',
      resolve: (row, _args, context) => {
        const id = numericId(row, 'region');
        return id === null ? null : context.loaders.region.load(id);
      },
    }),
    provider: t.field({
      type: OrganizationRef,
      nullable: true,
      description: 'The provider, when grouped by provider.',
      resolve: (row, _args, context) => {
        const id = numericId(row, 'provider');
        return id === null ? null : context.loaders.organization.load(id);
      },
    }),
    category: t.field({
      type: CreditCategoryRef,
      nullable: true,
      description: 'The credit category, when grouped by category.',
      resolve: (row, _args, context) =>
        row.dimension === 'category' ? context.loaders.creditCategory.load(row.key) : null,
    }),
    level: t.field({
      type: ActivityLevelEnum,
      nullable: true,
      description: 'The level, when grouped by level.',
      resolve: (row) => (row.dimension === 'level' ? (row.key as never) : null),
    }),
    activities: t.exposeInt('activities', { description: 'Activities ending in the period.' }),
    participants: t.exposeInt('participants', {
      description: 'Enrollments that took part (not rejected, replaced or withdrawn).',
    }),
    teachers: t.exposeInt('teachers', { description: 'Distinct teachers among them.' }),
    completed: t.exposeInt('completed', { description: 'Participants who completed.' }),
    decided: t.exposeInt('decided', {
      description: 'Participants whose completion is decided (completed or not).',
    }),
    completionRate: t.exposeFloat('completionRate', {
      nullable: true,
      description: 'Completed ÷ decided, 0 to 1; null before any is decided.',
    }),
    hoursAwarded: t.exposeFloat('hoursAwarded', {
      description: 'Net credit hours on the ledger for these activities.',
    }),
    homeworkDue: t.exposeInt('homeworkDue', {
      description: 'Assignments set × participants: homework that was due.',
    }),
    homeworkOnTime: t.exposeInt('homeworkOnTime', { description: 'Submitted on time.' }),
    homeworkOnTimeRate: t.exposeFloat('homeworkOnTimeRate', {
      nullable: true,
      description: 'On time ÷ due, 0 to 1; null when no homework was set.',
    }),
    ratings: t.exposeInt('ratings', { description: 'Participants who rated the activity.' }),
    averageRating: t.exposeFloat('averageRating', {
      nullable: true,
      description: 'Average satisfaction, 1 to 5, two decimals; null without ratings.',
    }),
  }),
});

const TeacherBehindRef = builder.objectRef<TeacherBehind>('TeacherBehind').implement({
  extensions: audience.signedIn,
  description: 'A teacher behind the pace of their cycle’s requirement on the report date.',
  fields: (t) => ({
    teacher: t.field({
      type: TeacherRef,
      nullable: true,
      description: 'The teacher.',
      resolve: (row, _args, context) => context.loaders.teacher.load(row.teacherId),
    }),
    policy: t.field({
      type: RequirementPolicyRef,
      description: 'The policy of the cycle that binds them.',
      resolve: (row) => row.policy,
    }),
    required: t.float({
      description: 'Hours the cycle requires.',
      resolve: (row) => row.progress.total.required,
    }),
    counted: t.float({
      description: 'Hours that count so far, after caps.',
      resolve: (row) => row.progress.total.counted,
    }),
    remaining: t.float({
      description: 'Hours still needed.',
      resolve: (row) => row.progress.total.remaining,
    }),
    expected: t.float({
      description: 'Hours an even pace would have reached by the report date.',
      resolve: (row) => expectedHours(row),
    }),
    categoriesBehind: t.stringList({
      description: 'Codes of the categories whose minimum is behind pace.',
      resolve: (row) => row.categoriesBehind,
    }),
  }),
});

builder.objectFields(CreditReportRef, (t) => ({
  activityFigures: t.field({
    type: [ActivityFiguresRef],
    description:
      'Activities ending in the period with participants, completion rate, hours awarded, homework on-time rate and average satisfaction, grouped as asked. With a region: activities offered there or taken by its teachers, and only those teachers’ participation.',
    args: {
      by: t.arg({ type: ReportDimensionEnum, description: 'What to group by.' }),
    },
    resolve: (report, args, context) => loadActivityFigures(context, report.period, args.by),
  }),
  teachersBehind: t.connection(
    {
      type: TeacherBehindRef,
      description:
        'Teachers behind their cycle requirement (the total or a category minimum) on a date, by name. For offices, schools and platform admins; institutions do not see teachers’ whole ledgers.',
      authScopes: { platformAdmin: true, officeOfficer: true, schoolAdmin: true },
      args: {
        asOf: t.arg({
          type: 'Date',
          required: false,
          description:
            'The day judged on; by default the report’s last day or today, whichever is earlier.',
        }),
      },
      resolve: async (report, args, context) => {
        const today = todayInChina();
        const asOf = args.asOf ?? (report.period.to < today ? report.period.to : today);
        const rows = await loadTeachersBehind(context, asOf, report.period.regionPath);
        return sliceConnection(rows, args, (row) => row.teacherId);
      },
    },
    {
      name: 'TeacherBehindConnection',
      description: 'A page of teachers behind their requirement.',
    },
    { name: 'TeacherBehindEdge', description: 'One teacher behind their requirement.' },
  ),
}));
