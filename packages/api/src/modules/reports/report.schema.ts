import { creditHoursByCategory, participationByMonth, type ReportPeriod } from '@registry/db';
import { audience, builder } from '../../builder';
import { CreditCategoryRef } from '../organizations/organization.schema';
import { reportPeriod } from './report-period';

export interface CreditReport {
  period: ReportPeriod;
}

/** Figures of one period; the activity figures and teachers behind are added beside it. */
export const CreditReportRef = builder.objectRef<CreditReport>('CreditReport');

const CategoryTotalRef = builder.objectRef<{ category: string; hours: number; teachers: number }>(
  'CategoryTotal',
);
CategoryTotalRef.implement({
  extensions: audience.signedIn,
  description: 'Net credit hours of one category in a report.',
  fields: (t) => ({
    hours: t.exposeFloat('hours', { description: 'Awards plus adjustments minus revocations.' }),
    teachers: t.exposeInt('teachers', { description: 'Teachers with at least one entry.' }),
    category: t.field({
      type: CreditCategoryRef,
      description: 'The category.',
      resolve: async (row, _args, context) =>
        (await context.loaders.creditCategory.load(row.category))!,
    }),
  }),
});

const MonthlyParticipationRef = builder.objectRef<{
  month: string;
  enrollments: number;
  teachers: number;
}>('MonthlyParticipation');
MonthlyParticipationRef.implement({
  extensions: audience.signedIn,
  description: 'Participation in activities starting in one month.',
  fields: (t) => ({
    month: t.expose('month', { type: 'Date', description: 'First day of the month.' }),
    enrollments: t.exposeInt('enrollments', {
      description: 'Enrollments in activities starting that month.',
    }),
    teachers: t.exposeInt('teachers', { description: 'Distinct teachers among them.' }),
  }),
});

CreditReportRef.implement({
  extensions: audience.signedIn,
  description:
    'Figures for a period over what the caller may see: an office its region, a school its teachers, an institution its activities.',
  fields: (t) => ({
    from: t.field({
      type: 'Date',
      description: 'First day counted.',
      resolve: (report) => report.period.from,
    }),
    to: t.field({
      type: 'Date',
      description: 'Last day counted.',
      resolve: (report) => report.period.to,
    }),
    hoursByCategory: t.field({
      type: [CategoryTotalRef],
      description: 'Net credit hours per category, by ledger date.',
      resolve: (report, _args, context) =>
        creditHoursByCategory(context.db, context.visibility, report.period),
    }),
    participationByMonth: t.field({
      type: [MonthlyParticipationRef],
      description: 'Enrollments per month of the activity’s start.',
      resolve: (report, _args, context) =>
        participationByMonth(context.db, context.visibility, report.period),
    }),
  }),
});

builder.queryField('creditReport', (t) =>
  t.field({
    type: CreditReportRef,
    description:
      'Credit and participation figures for a period of at most three years. For offices, schools, institutions and platform admins.',
    authScopes: {
      platformAdmin: true,
      officeOfficer: true,
      schoolAdmin: true,
      institutionAdmin: true,
    },
    args: {
      from: t.arg({ type: 'Date', description: 'First day counted.' }),
      to: t.arg({ type: 'Date', description: 'Last day counted, on or after from.' }),
      regionId: t.arg.id({
        required: false,
        description: 'Only teachers of schools in this region or below.',
      }),
    },
    resolve: async (_root, args, context) => ({
      period: await reportPeriod(
        {
          from: String(args.from),
          to: String(args.to),
          regionId: args.regionId == null ? null : String(args.regionId),
        },
        context,
      ),
    }),
  }),
);
