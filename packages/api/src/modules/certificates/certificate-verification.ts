import type { CertificateFacts } from '@registry/db';
import { transcriptTotals, type CertificateKind } from '@registry/domain';

/**
 * What anyone holding a verification code may learn: exactly what the paper certificate shows,
 * and whether it still stands. Nothing that is not printed on it (no ids, no national teacher
 * ID, no revocation reason) is answered, by the GraphQL query or by the public page alike.
 */
export interface PublicVerification {
  status: 'valid' | 'revoked';
  kind: CertificateKind;
  verificationCode: string;
  teacherName: string;
  activityTitle: string | null;
  cycleName: string | null;
  startsOn: string | null;
  endsOn: string | null;
  creditHours: number;
  issuerName: string;
  issuedOn: string;
  revokedOn: string | null;
}

export function publicVerification(facts: CertificateFacts): PublicVerification {
  const { certificate, completion, transcript } = facts;
  return {
    status: facts.revocation ? 'revoked' : 'valid',
    kind: certificate.kind,
    verificationCode: certificate.verificationCode,
    teacherName: facts.teacher.name,
    activityTitle: completion?.activity.title ?? null,
    cycleName: transcript?.policy.name ?? null,
    startsOn: completion?.activity.startsOn ?? transcript?.policy.cycleStartsOn ?? null,
    endsOn: completion?.activity.endsOn ?? transcript?.policy.cycleEndsOn ?? null,
    creditHours: completion ? completion.award.hours : transcriptHours(facts),
    issuerName: completion?.provider.name ?? transcript?.officeName ?? transcript?.regionName ?? '',
    issuedOn: chinaDate(certificate.issuedAt),
    revokedOn: facts.revocation ? chinaDate(facts.revocation.at) : null,
  };
}

/** Net ledger hours of the cycle to date: the same sum the transcript PDF prints. */
function transcriptHours(facts: CertificateFacts): number {
  const policyId = facts.transcript?.policy.id;
  const totals = transcriptTotals(facts.transcript?.entries ?? []);
  return totals.find((t) => t.policyId === policyId)?.totalHours ?? 0;
}

/** The calendar day in China (one time zone, no daylight saving) of an instant. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** Codes are printed in groups and typed by hand: case, spaces and dashes do not matter. */
export function normalizeVerificationCode(input: string): string | null {
  // Bounded before the regular expressions run: the input comes from anyone.
  if (input.length > 64) return null;
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  return /^[0-9A-Z]{8,32}$/.test(code) ? code : null;
}
