import type { Locale } from '../i18n/locale';
import { maxSessionMinutes } from '../vocabulary/vocabulary';

/**
 * Problems of an attendance or online-study import that the file parser cannot see on its own:
 * they need the registry (is there such a teacher, is the session part of the activity, is the
 * record already confirmed) or belong to the online platform's feed format. Rendered like
 * `describeCsvProblem`: where first (line of a CSV file, or record of a JSON array), then what.
 */
export type ImportProblemCode =
  // The online platform's feed itself.
  | 'MALFORMED'
  | 'EMPTY_FILE'
  | 'MISSING_COLUMN'
  | 'UNKNOWN_COLUMN'
  | 'MISSING_VALUE'
  | 'BAD_TEACHER_ID'
  | 'BAD_DATE'
  | 'BAD_MINUTES'
  | 'MINUTES_OUT_OF_RANGE'
  // Checked against the registry.
  | 'UNKNOWN_TEACHER'
  | 'NOT_ENROLLED'
  | 'NOT_PARTICIPANT'
  | 'UNKNOWN_SESSION'
  | 'NO_ONLINE_BLOCK'
  | 'MINUTES_ABOVE_SESSION'
  | 'DUPLICATE_ROW'
  | 'SESSION_NOT_TAUGHT'
  | 'LOCKED';

export interface ImportProblem {
  code: ImportProblemCode;
  /** Line of a CSV file, or null. */
  line: number | null;
  /** Position of the record in a JSON array, from 1, or null. */
  record?: number;
  /** The column (CSV header as written) or JSON key; null for a whole line or file. */
  column: string | null;
  /** The offending value as written. */
  value?: string;
  /** DUPLICATE_ROW: the line (or record) kept. */
  firstLine?: number;
  /** MINUTES_ABOVE_SESSION: the session's length in minutes. */
  max?: number;
}

/** Renders an import problem for the person who sent the file. */
export function describeImportProblem(problem: ImportProblem, locale: Locale): string {
  const zh = locale === 'zh-CN';
  const column = problem.code === 'MISSING_COLUMN' ? null : problem.column;
  const place = (n: number, unit: 'line' | 'record') =>
    zh
      ? `第 ${n} ${unit === 'line' ? '行' : '条记录'}${column === null ? '' : `“${column}”${unit === 'line' ? '列' : '字段'}`}：`
      : `${unit === 'line' ? 'Line' : 'Record'} ${n}${column === null ? '' : `, ${unit === 'line' ? 'column' : 'field'} "${column}"`}: `;
  const where =
    problem.line !== null
      ? place(problem.line, 'line')
      : problem.record !== undefined
        ? place(problem.record, 'record')
        : '';
  const value = problem.value ?? '';
  const what = ((): string => {
    switch (problem.code) {
      case 'MALFORMED':
        return zh ? `无法读取：${value}` : `The data cannot be read: ${value}`;
      case 'EMPTY_FILE':
        return zh ? '没有任何记录。' : 'There are no records.';
      case 'MISSING_COLUMN':
        return zh
          ? `缺少“${problem.column ?? ''}”列。`
          : `The "${problem.column ?? ''}" column is missing.`;
      case 'UNKNOWN_COLUMN':
        return zh ? '无法识别的列。' : 'Unknown column.';
      case 'MISSING_VALUE':
        return zh ? '不能为空。' : 'A value is required.';
      case 'BAD_TEACHER_ID':
        return zh
          ? `“${value}”不是有效的教师编号（6 至 32 位数字或大写字母）。`
          : `"${value}" is not a valid teacher national ID (6 to 32 digits or capital letters).`;
      case 'BAD_DATE':
        return zh
          ? `“${value}”不是有效的日期（应为 YYYY-MM-DD）。`
          : `"${value}" is not a date (write YYYY-MM-DD).`;
      case 'BAD_MINUTES':
        return zh ? `“${value}”不是整数分钟数。` : `"${value}" is not a whole number of minutes.`;
      case 'MINUTES_OUT_OF_RANGE':
        return zh
          ? `分钟数 ${value} 超出范围（0 至 ${maxSessionMinutes}）。`
          : `${value} minutes is out of range (0 to ${maxSessionMinutes}).`;
      case 'UNKNOWN_TEACHER':
        return zh
          ? `系统中没有教师编号为“${value}”的教师。`
          : `No teacher has the national ID "${value}".`;
      case 'NOT_ENROLLED':
        return zh
          ? `教师“${value}”未报名该活动。`
          : `The teacher "${value}" is not enrolled in this activity.`;
      case 'NOT_PARTICIPANT':
        return zh
          ? `教师“${value}”未实际参训（资格被拒、已被替换或已退出）。`
          : `The teacher "${value}" is not an active participant (rejected, substituted or withdrawn).`;
      case 'UNKNOWN_SESSION':
        return zh ? `该活动没有场次“${value}”。` : `The activity has no session "${value}".`;
      case 'NO_ONLINE_BLOCK':
        return zh
          ? `该活动在 ${value} 没有线上学习课次。`
          : `The activity has no online study block on ${value}.`;
      case 'MINUTES_ABOVE_SESSION':
        return zh
          ? `分钟数 ${value} 超过该场次时长（${problem.max ?? '?'} 分钟）。`
          : `${value} minutes is longer than the session (${problem.max ?? '?'} minutes).`;
      case 'DUPLICATE_ROW':
        return zh
          ? `与第 ${problem.firstLine ?? '?'} ${problem.line !== null ? '行' : '条记录'}的教师和场次重复。`
          : `Same teacher and session as ${problem.line !== null ? 'line' : 'record'} ${problem.firstLine ?? '?'}.`;
      case 'SESSION_NOT_TAUGHT':
        return zh
          ? `您不是场次“${value}”的讲师，不能为其记录考勤。`
          : `You do not teach session "${value}", so you may not record its attendance.`;
      case 'LOCKED':
        return zh
          ? `教师“${value}”的考勤已经学校或教育行政部门确认，已锁定；如需更正请提交考勤更正申请。`
          : `The attendance of teacher "${value}" is confirmed and locked; corrections go through an amendment.`;
      default: {
        const never: never = problem.code;
        throw new Error(`unknown import problem ${String(never)}`);
      }
    }
  })();
  return `${where}${what}`;
}
