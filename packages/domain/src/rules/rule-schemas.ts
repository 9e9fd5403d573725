import { z } from 'zod';
import { assessmentResults, roleTags, stages } from '../vocabulary/vocabulary';

/**
 * Eligibility and completion rules are stored as JSONB on the activity. These schemas are the
 * single definition of their shape: the database layer parses with them on the way in and on
 * the way out, so a rule that does not parse never reaches the rule engine.
 * Every criterion is optional; an empty object means "every teacher may take part".
 */
export const eligibilityRulesSchema = z
  .object({
    stages: z.array(z.enum(stages)).min(1).optional(),
    subjects: z.array(z.string().trim().min(1).max(40)).min(1).max(50).optional(),
    /** The teacher must carry at least one of these role tags. */
    roleTags: z.array(z.enum(roleTags)).min(1).optional(),
    /** The teacher's school must lie in one of these regions or below them. */
    regionIds: z.array(z.number().int().positive()).min(1).max(200).optional(),
    schoolIds: z.array(z.number().int().positive()).min(1).max(2000).optional(),
    locality: z.enum(['rural', 'urban']).optional(),
    minYearsOfService: z.number().int().min(0).max(60).optional(),
    maxYearsOfService: z.number().int().min(0).max(60).optional(),
  })
  .strict()
  .refine(
    (r) =>
      r.minYearsOfService === undefined ||
      r.maxYearsOfService === undefined ||
      r.minYearsOfService <= r.maxYearsOfService,
    { path: ['maxYearsOfService'], message: 'must be at least minYearsOfService' },
  );
export type EligibilityRules = z.infer<typeof eligibilityRulesSchema>;

export const completionRulesSchema = z
  .object({
    /** Share of the activity's session hours attended (present or late), 0..1. */
    minAttendanceRatio: z.number().min(0).max(1).default(0.8),
    /** Every online block must reach its own minimum minutes. */
    requireOnlineMinimums: z.boolean().default(true),
    /** Assignments submitted on time needed; 0 when the activity has no homework. */
    minAssignmentsOnTime: z.number().int().min(0).max(100).default(0),
    /** Lowest final assessment that completes; absent when there is no assessment. */
    minAssessment: z.enum(assessmentResults).exclude(['fail']).optional(),
  })
  .strict();
export type CompletionRules = z.infer<typeof completionRulesSchema>;

/** How hours convert to credit per delivery mode, e.g. online counts half. Missing mode = 1. */
export const conversionFactorsSchema = z.record(z.string(), z.number().positive().max(10));
export const categoryHoursSchema = z.record(z.string(), z.number().min(0).max(10000));
