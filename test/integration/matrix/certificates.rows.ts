import { g, succeeded, type MatrixArea, type MatrixEnv } from './matrix-kit';

/** Certificates: public verification, issuing on the teacher's side, revoking by the office. */
// prettier-ignore
const rows: MatrixArea['rows'] = {
  'query verifyCertificate': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'allow'], institution_admin: ['allow', 'allow'], trainer: ['allow', 'allow'], school_admin: ['allow', 'allow'], teacher: ['allow', 'allow'] },
  'mutation issueCompletionCertificate': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
  'mutation issueTranscript': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
  'mutation revokeCertificate': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['deny', 'deny'], teacher: ['deny', 'deny'] },
};

const operations: MatrixArea['operations'] = {
  'query verifyCertificate': async (caller, t, env) => {
    // Public: anyone with a code may check it, whoever's certificate it is.
    const code = await certificateCodeOf(env.db, t.enrollment);
    const { data } = await caller<{ verifyCertificate: { status: string } | null }>(
      `query($code: String!) { verifyCertificate(code: $code) { status } }`,
      { code },
    );
    return data?.verifyCertificate?.status === 'VALID' ? 'allow' : 'deny';
  },
  'mutation issueCompletionCertificate': async (caller, t) => {
    const { data } = await caller<{ issueCompletionCertificate: { __typename: string } | null }>(
      `mutation($input: IssueCompletionCertificateInput!) { issueCompletionCertificate(input: $input) { __typename } }`,
      { input: { enrollmentId: g('Enrollment', t.enrollment) } },
    );
    return succeeded(data?.issueCompletionCertificate) ? 'allow' : 'deny';
  },
  'mutation issueTranscript': async (caller, t, env) => {
    const policy = await env.db
      .selectFrom('requirement_policies')
      .select('id')
      .where('region_id', '=', t.region)
      .executeTakeFirstOrThrow();
    const { data } = await caller<{ issueTranscript: { __typename: string } | null }>(
      `mutation($input: IssueTranscriptInput!) { issueTranscript(input: $input) { __typename } }`,
      {
        input: { teacherId: g('Teacher', t.teacher), policyId: g('RequirementPolicy', policy.id) },
      },
    );
    return succeeded(data?.issueTranscript) ? 'allow' : 'deny';
  },
  'mutation revokeCertificate': async (caller, t, env) => {
    // A fresh transcript certificate each time, so an allowed revocation never starves the next.
    const policy = await env.db
      .selectFrom('requirement_policies')
      .select('id')
      .where('region_id', '=', t.region)
      .executeTakeFirstOrThrow();
    const code = env.nextCode();
    const certificate = await env.db
      .insertInto('certificates')
      .values({
        kind: 'transcript',
        teacher_id: t.teacher,
        policy_id: policy.id,
        verification_code: `MATRIXREVOKE${String(code).padStart(4, '0')}`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { data } = await caller<{ revokeCertificate: { __typename: string } | null }>(
      `mutation($input: RevokeCertificateInput!) { revokeCertificate(input: $input) { __typename } }`,
      { input: { certificateId: g('Certificate', certificate.id), reason: '矩阵测试' } },
    );
    return succeeded(data?.revokeCertificate) ? 'allow' : 'deny';
  },
};

export const area: MatrixArea = { rows, operations };

/** The completion certificate of an enrollment (issued directly if none yet): its code. */
async function certificateCodeOf(db: MatrixEnv['db'], enrollmentId: number): Promise<string> {
  const existing = await db
    .selectFrom('certificates')
    .select('verification_code')
    .where('enrollment_id', '=', enrollmentId)
    .executeTakeFirst();
  if (existing) return existing.verification_code;
  return (await issueCompletionCertificateRow(db, enrollmentId)).verification_code;
}

async function issueCompletionCertificateRow(db: MatrixEnv['db'], enrollmentId: number) {
  const award = await db
    .selectFrom('credit_ledger')
    .select(['id', 'teacher_id'])
    .where('enrollment_id', '=', enrollmentId)
    .where('kind', '=', 'award')
    .executeTakeFirstOrThrow();
  return db
    .insertInto('certificates')
    .values({
      kind: 'completion',
      teacher_id: award.teacher_id,
      enrollment_id: enrollmentId,
      ledger_entry_id: award.id,
      verification_code: `MATRIXCERT${String(enrollmentId).padStart(6, '0')}`,
    })
    .returning('verification_code')
    .executeTakeFirstOrThrow();
}
