import type { Activity, DB } from '@registry/db';
import { loadEligibilityFacts } from '@registry/db';
import { describeReason, evaluateEligibility, type EligibilityReason } from '@registry/domain';
import type { Kysely } from 'kysely';
import type { ReasonView } from '../../errors';

/** A reason in both languages, as the schema and the typed errors carry it. */
export function reasonView(reason: EligibilityReason): ReasonView {
  return {
    code: reason.code,
    localized: { en: describeReason(reason, 'en'), 'zh-CN': describeReason(reason, 'zh-CN') },
  };
}

export function plainReason(code: string, message: string): ReasonView {
  const [en, zh] = message.split('|');
  return { code, localized: { en: en!, 'zh-CN': zh ?? en! } };
}

export interface Verdict {
  eligible: boolean;
  reasons: ReasonView[];
}

/**
 * Asks the engine about many teachers for one activity. `seatsTakenBefore` lets a batch count
 * the seats it has already given out: the n-th teacher of a list sees the n-1 before them.
 * Teachers that do not exist are missing from the answer.
 */
export async function judge(db: Kysely<DB>, activity: Activity, teacherIds: readonly number[]) {
  const facts = await loadEligibilityFacts(db, activity, teacherIds);
  return {
    facts,
    verdict(teacherId: number, seatsGivenInBatch = 0): Verdict | null {
      const entry = facts.teachers.get(teacherId);
      if (!entry) return null;
      const ownSeat = entry.seatHolder ? 1 : 0;
      const answer = evaluateEligibility(entry.teacher, facts.activity, {
        ...entry.context,
        enrolledCount: facts.seatsHeld - ownSeat + seatsGivenInBatch,
      });
      return { eligible: answer.eligible, reasons: answer.reasons.map(reasonView) };
    },
  };
}
