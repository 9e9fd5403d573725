import type { ActivityLevel } from '@registry/domain';
import type { Locale } from '../../context';
import type { Localized } from '../../errors';

/** Levels as a report reader names them. */
export const activityLevelNames: Record<ActivityLevel, Localized> = {
  national: { en: 'national', 'zh-CN': '国家级' },
  provincial: { en: 'provincial', 'zh-CN': '省级' },
  municipal: { en: 'municipal', 'zh-CN': '市级' },
  district: { en: 'district', 'zh-CN': '区县级' },
  school: { en: 'school', 'zh-CN': '校级' },
};

const columns = {
  region: { en: 'Region', 'zh-CN': '区域' },
  provider: { en: 'Provider', 'zh-CN': '培训机构' },
  category: { en: 'Category', 'zh-CN': '学分类别' },
  level: { en: 'Level', 'zh-CN': '级别' },
  month: { en: 'Month', 'zh-CN': '月份' },
  year: { en: 'Year', 'zh-CN': '年度' },
  activities: { en: 'Activities', 'zh-CN': '活动数' },
  participants: { en: 'Participants', 'zh-CN': '参训人次' },
  teachers: { en: 'Teachers', 'zh-CN': '参训人数' },
  completed: { en: 'Completed', 'zh-CN': '完成人次' },
  decided: { en: 'Decided', 'zh-CN': '已认定人次' },
  completionRate: { en: 'Completion rate (%)', 'zh-CN': '完成率（%）' },
  hoursAwarded: { en: 'Hours awarded', 'zh-CN': '登记学时' },
  homeworkDue: { en: 'Homework due', 'zh-CN': '应交作业' },
  homeworkOnTime: { en: 'Homework on time', 'zh-CN': '按时提交作业' },
  homeworkOnTimeRate: { en: 'Homework on-time rate (%)', 'zh-CN': '作业按时提交率（%）' },
  ratings: { en: 'Ratings', 'zh-CN': '评价数' },
  averageRating: { en: 'Average satisfaction (1–5)', 'zh-CN': '平均满意度（1–5）' },
  nationalId: { en: 'National teacher ID', 'zh-CN': '教师编号' },
  name: { en: 'Name', 'zh-CN': '姓名' },
  school: { en: 'School', 'zh-CN': '学校' },
  policy: { en: 'Requirement policy', 'zh-CN': '学分政策' },
  required: { en: 'Hours required', 'zh-CN': '要求学时' },
  counted: { en: 'Hours counted', 'zh-CN': '有效学时' },
  remaining: { en: 'Hours remaining', 'zh-CN': '尚缺学时' },
  expected: { en: 'Hours expected by now', 'zh-CN': '按进度应达学时' },
  categoriesBehind: { en: 'Categories behind', 'zh-CN': '未达进度的类别' },
} satisfies Record<string, Localized>;

export type Column = keyof typeof columns;

export function header(names: readonly Column[], locale: Locale): string[] {
  return names.map((name) => columns[name][locale]);
}
