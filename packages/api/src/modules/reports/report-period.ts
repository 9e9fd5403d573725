import type { ReportPeriod } from '@registry/db';
import { GraphQLError } from 'graphql';
import type { Context } from '../../context';
import { regionOf } from '../organizations/organization.schema';

/** A report covers at most three years: enough for a cycle's yearly reviews, bounded in cost. */
const maxReportDays = 3 * 366;

function refuse(context: Context, field: string, en: string, zh: string): GraphQLError {
  return new GraphQLError(context.locale === 'zh-CN' ? zh : en, {
    extensions: { code: 'BAD_USER_INPUT', field },
  });
}

/** A calendar date written YYYY-MM-DD that exists; anything else is the caller's mistake. */
export function parseReportDate(value: string | null, field: string, context: Context): string {
  if (value !== null && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const parsed = new Date(`${value}T00:00:00Z`);
    if (!Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value)) return value;
  }
  throw refuse(
    context,
    field,
    `${field} must be a calendar date written YYYY-MM-DD`,
    `${field} 应为 YYYY-MM-DD 格式的日期`,
  );
}

/**
 * The period and region of a report, checked the same way for GraphQL and the CSV exports:
 * `to` on or after `from`, at most three years, and a region given by global ID (an unknown
 * region matches nothing rather than everything).
 */
export async function reportPeriod(
  args: { from: string; to: string; regionId?: string | null | undefined },
  context: Context,
): Promise<ReportPeriod> {
  const days = (Date.parse(args.to) - Date.parse(args.from)) / 86_400_000;
  if (!(days >= 0))
    throw refuse(context, 'to', 'to must be on or after from', '结束日期不能早于开始日期');
  if (days > maxReportDays)
    throw refuse(context, 'to', 'A report covers at most three years', '统计区间最长三年');
  if (args.regionId == null) return { from: args.from, to: args.to, regionPath: null };
  const region = await regionOf(args.regionId, context);
  return { from: args.from, to: args.to, regionPath: region?.path ?? '/none/' };
}
