import type { z } from 'zod';
import { ValidationError, type FieldIssue, type Localized } from '../errors';

/**
 * Parses mutation input with a zod schema whose messages are bilingual: each issue message is
 * written 'English|中文'. Every issue is reported with its path under `root`.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  root = 'input',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    path: [root, ...issue.path.map(String)],
    localized: bilingual(issue.message),
  }));
  throw new ValidationError(issues);
}

export function bilingual(message: string): Localized {
  const [en, zh] = message.split('|');
  return { en: en ?? message, 'zh-CN': zh ?? en ?? message };
}
