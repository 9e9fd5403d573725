import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { todayInChina } from '@registry/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * Issue 4 point 8: completion certificates and transcripts (PDF with verification code and QR
 * code), the public verification query and page, and each award as a signed Open Badges 3.0
 * credential that anyone can check offline against the registry's JWKS.
 */
let database: TestDatabase;
let fx: Fixtures;
let world: Awaited<ReturnType<Fixtures['world']>>;
let server: Awaited<ReturnType<typeof startTestServer>>;
type Caller = Awaited<ReturnType<typeof server.as>>;
let teacher: SignedIn;
let office: SignedIn;
let otherSchool: SignedIn;
let institution: SignedIn;
/** The generated dev key lives here (beside DATA_DIR), never in the working tree. */
let keyDir: string;
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
const localId = (globalId: string) =>
  Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);

const names = {
  teacher: '王晓燕',
  school: '城南实验小学',
  provider: '市教师发展中心',
  office: '区教育局',
  activity: '小学数学课堂观察与评价',
};
const ids = {} as {
  credited: number;
  uncredited: number;
  toRevoke: number;
  ledgerRevoked: number;
  revokedBeforeIssue: number;
  policy: number;
  otherPolicy: number;
  awardOfLedgerRevoked: number;
};
/** Every credential this file exported, for the JSON Schema check at the end. */
const exported: string[] = [];

interface SignedIn {
  call: Caller;
  /** For the plain HTTP routes, which take the same bearer token as /graphql. */
  headers: Record<string, string>;
}

async function signIn(
  target: Awaited<ReturnType<typeof startTestServer>>,
  account: { username: string; password: string },
): Promise<SignedIn> {
  const login = await target.graphql<{ login: { data?: { token: string } } }>(
    `mutation($input: LoginInput!) { login(input: $input) { ... on MutationLoginSuccess { data { token } } } }`,
    { input: { username: account.username, password: account.password, issueToken: true } },
  );
  const token = login.data?.login.data?.token;
  if (!token) throw new Error(`login as ${account.username} failed: ${JSON.stringify(login)}`);
  return { call: await target.as(account), headers: { authorization: `Bearer ${token}` } };
}

async function award(
  enrollment: { id: number; activity_id: number; teacher_id: number },
  hours: number,
): Promise<number> {
  const row = await database.db
    .insertInto('credit_ledger')
    .values({
      teacher_id: enrollment.teacher_id,
      kind: 'award',
      activity_id: enrollment.activity_id,
      enrollment_id: enrollment.id,
      policy_id: ids.policy,
      category: 'professional',
      hours,
      earned_on: '2026-03-02',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A correcting ledger entry (adjustment or revocation) of an award, as the ledger writes them. */
async function correct(
  awardId: number,
  kind: 'adjustment' | 'revocation',
  hours: number,
): Promise<void> {
  const original = await database.db
    .selectFrom('credit_ledger')
    .selectAll()
    .where('id', '=', awardId)
    .executeTakeFirstOrThrow();
  await database.db
    .insertInto('credit_ledger')
    .values({
      teacher_id: original.teacher_id,
      kind,
      activity_id: original.activity_id,
      enrollment_id: original.enrollment_id,
      policy_id: original.policy_id,
      category: original.category,
      hours,
      earned_on: '2026-03-20',
      reason: kind === 'revocation' ? '签到记录造假，撤销学分' : '补记线上学时',
      corrects_entry_id: awardId,
    })
    .execute();
}

beforeAll(async () => {
  keyDir = await mkdtemp(join(tmpdir(), 'registry-certificates-'));
  database = await createTestDatabase();
  const db = database.db;
  fx = new Fixtures(db);
  world = await fx.world();
  await db
    .updateTable('teachers')
    .set({ name: names.teacher })
    .where('id', '=', world.teacher.id)
    .execute();
  for (const [id, name] of [
    [world.school.id, names.school],
    [world.institution.id, names.provider],
    [world.office.id, names.office],
  ] as const) {
    await db.updateTable('organizations').set({ name }).where('id', '=', id).execute();
  }
  await db
    .updateTable('activities')
    .set({ title: names.activity })
    .where('id', '=', world.activity.id)
    .execute();
  const policy = (regionId: number, name: string) =>
    db
      .insertInto('requirement_policies')
      .values({
        region_id: regionId,
        name,
        cycle_starts_on: '2026-01-01',
        cycle_ends_on: '2030-12-31',
        total_hours: 360,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  ids.policy = (await policy(world.district.id, '区中小学教师继续教育学分管理办法')).id;
  const elsewhere = await fx.region(world.city);
  ids.otherPolicy = (await policy(elsewhere.id, '邻区继续教育学分管理办法')).id;

  // Credited: 6 hours awarded, then 1.5 more by an adjustment: the teacher holds 7.5.
  const credited = await fx.enrollment(world.activity, world.teacher);
  ids.credited = credited.id;
  await correct(await award(credited, 6), 'adjustment', 1.5);
  ids.uncredited = (await fx.enrollment(await fx.activity(world.institution), world.teacher)).id;
  const toRevoke = await fx.enrollment(await fx.activity(world.institution), world.teacher);
  ids.toRevoke = toRevoke.id;
  await award(toRevoke, 4);
  const ledgerRevoked = await fx.enrollment(await fx.activity(world.institution), world.teacher);
  ids.ledgerRevoked = ledgerRevoked.id;
  ids.awardOfLedgerRevoked = await award(ledgerRevoked, 3);
  const revokedBeforeIssue = await fx.enrollment(
    await fx.activity(world.institution),
    world.teacher,
  );
  ids.revokedBeforeIssue = revokedBeforeIssue.id;
  await correct(await award(revokedBeforeIssue, 2), 'revocation', -2);

  server = await startTestServer(database, { DATA_DIR: join(keyDir, 'pglite') });
  teacher = await signIn(
    server,
    await fx.account('teacher', world.school, { teacherId: world.teacher.id }),
  );
  office = await signIn(server, await fx.account('office_officer', world.office));
  otherSchool = await signIn(
    server,
    await fx.account('school_admin', await fx.organization('school', elsewhere)),
  );
  institution = await signIn(server, await fx.account('institution_admin', world.institution));
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
  if (keyDir) await rm(keyDir, { recursive: true, force: true });
});

const certificateFields = `id kind verificationCode verificationPath pdfUrl credentialUrl revokedAt`;
interface CertificateData {
  id: string;
  kind: string;
  verificationCode: string;
  verificationPath: string;
  pdfUrl: string;
  credentialUrl: string | null;
  revokedAt: string | null;
}
interface MutationResult {
  __typename: string;
  data?: CertificateData;
  code?: string;
  message?: string;
  issues?: Array<{ path: string[]; message: string }>;
}
const outcome = `
  __typename
  ... on UserError { code message }
  ... on ValidationError { issues { path message } }
`;

async function issueCompletion(caller: Caller, enrollmentId: number, locale = 'en') {
  const { data, errors } = await caller<{ issueCompletionCertificate: MutationResult }>(
    `mutation($input: IssueCompletionCertificateInput!) {
      issueCompletionCertificate(input: $input) {
        ${outcome}
        ... on MutationIssueCompletionCertificateSuccess { data { ${certificateFields} } }
      }
    }`,
    { input: { enrollmentId: g('Enrollment', enrollmentId) } },
    { 'accept-language': locale },
  );
  expect(errors).toBeUndefined();
  return data!.issueCompletionCertificate;
}

async function issueTranscript(caller: Caller, policyId: number) {
  const { data, errors } = await caller<{ issueTranscript: MutationResult }>(
    `mutation($input: IssueTranscriptInput!) {
      issueTranscript(input: $input) {
        ${outcome}
        ... on MutationIssueTranscriptSuccess { data { ${certificateFields} } }
      }
    }`,
    {
      input: {
        teacherId: g('Teacher', world.teacher.id),
        policyId: g('RequirementPolicy', policyId),
      },
    },
  );
  expect(errors).toBeUndefined();
  return data!.issueTranscript;
}

async function revoke(caller: Caller, certificateId: string, reason: string) {
  const { data, errors } = await caller<{ revokeCertificate: MutationResult }>(
    `mutation($input: RevokeCertificateInput!) {
      revokeCertificate(input: $input) {
        ${outcome}
        ... on MutationRevokeCertificateSuccess { data { ${certificateFields} } }
      }
    }`,
    { input: { certificateId, reason } },
  );
  expect(errors).toBeUndefined();
  return data!.revokeCertificate;
}

const verifyQuery = `query($code: String!) {
  verifyCertificate(code: $code) {
    status kind verificationCode teacherName activityTitle cycleName startsOn endsOn
    creditHours issuerName issuedOn revokedOn
  }
}`;
interface Verification {
  status: string;
  kind: string;
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

/** Without a session: the verification query is public. */
async function verifyCode(code: string, locale = 'en') {
  return server.graphql<{ verifyCertificate: Verification | null }>(
    verifyQuery,
    { code },
    { 'accept-language': locale },
  );
}

async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error;
}

function get(
  target: { url: string },
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${target.url}${path}`, { headers });
}

let completion: CertificateData;
let transcript: CertificateData;

describe('issueCompletionCertificate', () => {
  it('issues the certificate of an awarded enrollment, once, with an audit entry', async () => {
    const first = await issueCompletion(teacher.call, ids.credited);
    expect(first.__typename).toBe('MutationIssueCompletionCertificateSuccess');
    completion = first.data!;
    expect(completion).toMatchObject({
      kind: 'COMPLETION',
      revokedAt: null,
      verificationPath: `/verify/${completion.verificationCode}`,
      pdfUrl: `/certificates/${localId(completion.id)}.pdf`,
      credentialUrl: `/certificates/${localId(completion.id)}.jwt`,
    });
    // 16 symbols without 0/O/1/I, so it survives being read aloud and typed from paper.
    expect(completion.verificationCode).toMatch(/^[2-9A-HJ-NP-Z]{16}$/);

    const second = await issueCompletion(office.call, ids.credited);
    expect(second).toMatchObject({ __typename: 'MutationIssueCompletionCertificateSuccess' });
    expect(second.data).toEqual(completion);
    const rows = await database.db
      .selectFrom('certificates')
      .select('id')
      .where('enrollment_id', '=', ids.credited)
      .execute();
    expect(rows).toHaveLength(1);
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'after'])
      .where('entity_type', '=', 'certificate')
      .where('entity_id', '=', String(localId(completion.id)))
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'certificate.issued',
      after: { enrollmentId: ids.credited, verificationCode: completion.verificationCode },
    });
    expect(audit[0]!.actor_id).not.toBeNull();
  });

  it('answers concurrent clicks with one certificate', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => issueCompletion(teacher.call, ids.toRevoke)),
    );
    const certificateIds = new Set(results.map((r) => r.data?.id));
    expect(certificateIds.size).toBe(1);
    expect([...certificateIds][0]).toBeDefined();
    const rows = await database.db
      .selectFrom('certificates')
      .select('id')
      .where('enrollment_id', '=', ids.toRevoke)
      .execute();
    expect(rows).toHaveLength(1);
    const audit = await database.db
      .selectFrom('audit_log')
      .select('id')
      .where('entity_type', '=', 'certificate')
      .where('entity_id', '=', String(rows[0]!.id))
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('refuses an enrollment without an award as a typed conflict, in both languages', async () => {
    const before = await database.db.selectFrom('certificates').select('id').execute();
    const english = await issueCompletion(teacher.call, ids.uncredited);
    expect(english).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(english.message).toMatch(/No credit has been awarded/);
    const chinese = await issueCompletion(teacher.call, ids.uncredited, 'zh-CN');
    expect(chinese.message).toMatch(/尚未记入学分/);
    expect(await database.db.selectFrom('certificates').select('id').execute()).toEqual(before);
  });

  it('refuses an enrollment whose award was revoked in the ledger', async () => {
    const result = await issueCompletion(teacher.call, ids.revokedBeforeIssue);
    expect(result).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(result.message).toMatch(/was revoked/);
  });

  it('refuses a malformed enrollment ID naming the field', async () => {
    const { data } = await teacher.call<{ issueCompletionCertificate: MutationResult }>(
      `mutation($input: IssueCompletionCertificateInput!) { issueCompletionCertificate(input: $input) { ${outcome} } }`,
      { input: { enrollmentId: g('Activity', ids.credited) } },
    );
    expect(data!.issueCompletionCertificate.__typename).toBe('ValidationError');
    expect(data!.issueCompletionCertificate.issues![0]!.path).toEqual(['input', 'enrollmentId']);
  });

  it('is not for a school of another region', async () => {
    const result = await issueCompletion(otherSchool.call, ids.credited);
    expect(['NotFoundError', 'ForbiddenError']).toContain(result.__typename);
  });
});

describe('issueTranscript', () => {
  it('issues a transcript for a policy of the teacher’s region, idempotently', async () => {
    const first = await issueTranscript(teacher.call, ids.policy);
    expect(first.__typename).toBe('MutationIssueTranscriptSuccess');
    transcript = first.data!;
    expect(transcript).toMatchObject({ kind: 'TRANSCRIPT', credentialUrl: null, revokedAt: null });
    const again = await issueTranscript(teacher.call, ids.policy);
    expect(again.data).toEqual(transcript);
    const rows = await database.db
      .selectFrom('certificates')
      .select('id')
      .where('kind', '=', 'transcript')
      .where('teacher_id', '=', world.teacher.id)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses another region’s policy naming the field, changing nothing', async () => {
    const before = await database.db.selectFrom('certificates').select('id').execute();
    const result = await issueTranscript(teacher.call, ids.otherPolicy);
    expect(result.__typename).toBe('ValidationError');
    expect(result.issues).toEqual([
      {
        path: ['input', 'policyId'],
        message: expect.stringContaining('is not a requirement policy of the teacher’s region'),
      },
    ]);
    expect(await database.db.selectFrom('certificates').select('id').execute()).toEqual(before);
  });
});

describe('certificate PDFs', () => {
  it('serves the owner a real PDF that names the teacher, the activity and the code', async () => {
    const response = await get(server, completion.pdfUrl, teacher.headers);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-8).toString('latin1')).toMatch(/%%EOF\s*$/);
    expect(Number(response.headers.get('content-length'))).toBe(pdf.length);
    // The CJK font is subset to the glyphs used: tens of kilobytes, not the 8 MB font file.
    expect(pdf.length).toBeGreaterThan(10_000);
    expect(pdf.length).toBeLessThan(1_000_000);
    const code = completion.verificationCode;
    const text = pdfText(pdf);
    expect(text).toContain(names.teacher);
    expect(text).toContain(names.school);
    expect(text).toContain(names.activity);
    expect(text).toContain(names.provider);
    expect(text).toContain('学时 Credit hours：7.5');
    expect(text).toContain(`活动编号 Activity code：${world.activity.code}`);
    expect(text).toContain(`验证码 Verification code：${code}`);
    // Justified lines wrap anywhere and turn spaces into positioning: compare without either.
    const flat = text.replace(/\s+/g, '');
    expect(flat).toContain('于2026-03-01至2026-03-02参加');
    expect(flat).toContain('获得继续教育学分7.5学时');
    // The QR code's target is also a link annotation, plain in the file.
    expect(pdf.toString('latin1')).toContain(`/URI (http://localhost:4000/verify/${code})`);
  });

  it('serves the transcript as a PDF with the cycle and its ledger sum', async () => {
    const response = await get(server, transcript.pdfUrl, teacher.headers);
    expect(response.status).toBe(200);
    const text = pdfText(Buffer.from(await response.arrayBuffer()));
    const flat = text.replace(/\s+/g, '');
    expect(flat).toContain('“区中小学教师继续教育学分管理办法”2026-01-01至2030-12-31周期内');
    expect(text).toContain(names.teacher);
    expect(text).toContain(`验证码 Verification code：${transcript.verificationCode}`);
    // 6 + 1.5 (credited) + 4 (toRevoke) + 3 (ledgerRevoked) + 2 − 2 (revoked before issue).
    expect(flat).toContain('共获得继续教育学分14.5学时');
    expect(text).toContain('2026-03-20  培训活动');
    expect(text).toContain(`认定机构 Issued by：${names.office}`);
  });

  it('serves the education office above the school', async () => {
    const response = await get(server, completion.pdfUrl, office.headers);
    expect(response.status).toBe(200);
  });

  it.each([
    ['a school of another region', () => otherSchool.headers],
    ['the institution that ran the activity', () => institution.headers],
  ])('answers 404 to %s, as for a missing certificate', async (_who, headers) => {
    const response = await get(server, completion.pdfUrl, headers());
    expect(response.status).toBe(404);
    const missing = await get(server, '/certificates/2000000000.pdf', teacher.headers);
    expect(missing.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'No such certificate.' });
  });

  it('answers 401 without a session and 404 for a malformed path', async () => {
    expect((await get(server, completion.pdfUrl)).status).toBe(401);
    expect((await get(server, completion.credentialUrl!)).status).toBe(401);
    for (const path of ['/certificates/abc.pdf', '/certificates/1.png', '/certificates/0.pdf']) {
      expect((await get(server, path, teacher.headers)).status).toBe(404);
    }
  });
});

describe('verifyCertificate (no sign-in)', () => {
  it('answers VALID with the facts printed on the certificate', async () => {
    const { data, errors } = await verifyCode(completion.verificationCode);
    expect(errors).toBeUndefined();
    expect(data!.verifyCertificate).toEqual({
      status: 'VALID',
      kind: 'COMPLETION',
      verificationCode: completion.verificationCode,
      teacherName: names.teacher,
      activityTitle: names.activity,
      cycleName: null,
      startsOn: '2026-03-01',
      endsOn: '2026-03-02',
      creditHours: 7.5,
      issuerName: names.provider,
      issuedOn: todayInChina(),
      revokedOn: null,
    });
  });

  it('answers a transcript with its cycle, its ledger sum and the education office', async () => {
    const { data } = await verifyCode(transcript.verificationCode);
    expect(data!.verifyCertificate).toMatchObject({
      status: 'VALID',
      kind: 'TRANSCRIPT',
      teacherName: names.teacher,
      activityTitle: null,
      cycleName: '区中小学教师继续教育学分管理办法',
      startsOn: '2026-01-01',
      endsOn: '2030-12-31',
      creditHours: 14.5,
      issuerName: names.office,
    });
  });

  it('normalizes a code typed in lowercase, with dashes and spaces', async () => {
    const code = completion.verificationCode;
    const typed = ` ${code.slice(0, 4).toLowerCase()}-${code.slice(4, 8)} ${code.slice(8, 12).toLowerCase()}-${code.slice(12)} `;
    const { data } = await verifyCode(typed);
    expect(data!.verifyCertificate).toMatchObject({ status: 'VALID', verificationCode: code });
  });

  it('answers null for a well-formed code nobody holds', async () => {
    const { data, errors } = await verifyCode('ZZZZ-ZZZZ-ZZZZ-ZZZZ');
    expect(errors).toBeUndefined();
    expect(data!.verifyCertificate).toBeNull();
  });

  it.each([
    ['punctuation', 'not a code!'],
    ['too short', 'ABC123'],
    ['too long', 'A'.repeat(40)],
    ['megabytes of input', 'A'.repeat(100_000)],
  ])('answers BAD_USER_INPUT naming the field for %s, in both languages', async (_what, code) => {
    const english = await verifyCode(code);
    expect(english.status).toBe(200);
    expect(english.data?.verifyCertificate ?? null).toBeNull();
    expect(english.errors![0]).toMatchObject({
      message: 'A verification code is 8 to 32 letters and digits.',
      extensions: { code: 'BAD_USER_INPUT', field: 'code' },
    });
    const chinese = await verifyCode(code, 'zh-CN');
    expect(chinese.errors![0]!.message).toBe('验证码应为 8 至 32 位字母或数字。');
  });

  it('serves a public verification page at the path the QR code links to', async () => {
    const response = await get(server, completion.verificationPath);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toContain('有效 · Valid');
    expect(html).toContain(names.teacher);
    expect(html).toContain(names.activity);
    expect(html).toContain('7.5');
    expect(html).not.toContain(world.teacher.national_id);
    const unknown = await get(server, '/verify/ZZZZZZZZZZZZZZZZ');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('未找到');
    const garbage = await get(server, `/verify/${encodeURIComponent('<script>')}`);
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).not.toContain('<script>');
  });
});

/** A compact JWS split and decoded, without checking anything. */
function decodeJwt(jwt: string) {
  const [header, payload, signature] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Credential,
    signingInput: `${header}.${payload}`,
    signature: Buffer.from(signature!, 'base64url'),
  };
}

interface Jwk {
  kty: string;
  crv: string;
  x: string;
  kid: string;
  alg: string;
  use: string;
}
type Credential = Record<string, unknown> & {
  id: string;
  issuer: { id: string; name: string };
  validFrom: string;
  credentialSubject: Record<string, unknown> & { achievement: Record<string, unknown> };
  credentialStatus: { id: string; type: string };
};

/** What a verifier does offline: find the key by kid in the JWKS and check the signature. */
function verifiesWith(jwt: string, jwks: { keys: Jwk[] }): boolean {
  const { header, signingInput, signature } = decodeJwt(jwt);
  const jwk = jwks.keys.find((key) => key.kid === header.kid);
  if (!jwk || header.alg !== 'EdDSA') return false;
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
  return verify(null, Buffer.from(signingInput), key, signature);
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace. */
function thumbprint(jwk: { crv: string; kty: string; x: string }): string {
  const canonical = `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}"}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

async function jwksOf(target: { url: string }): Promise<{ keys: Jwk[] }> {
  const response = await get(target, '/.well-known/jwks.json');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/jwk-set+json');
  return (await response.json()) as { keys: Jwk[] };
}

async function exportCredential(target: { url: string }, path: string, headers: SignedIn) {
  const response = await get(target, path, headers.headers);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/vc+jwt');
  const jwt = await response.text();
  exported.push(jwt);
  return jwt;
}

describe('Open Badges 3.0 credential (VC-JWT, EdDSA)', () => {
  let jwt: string;

  it('publishes the public key as a JWKS; the generated dev key stays outside the repository', async () => {
    const jwks = await jwksOf(server);
    expect(jwks.keys).toHaveLength(1);
    const [key] = jwks.keys;
    expect(key).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      kid: thumbprint(key!),
      alg: 'EdDSA',
      use: 'sig',
    });
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/);
    const keyFile = join(keyDir, 'credential-signing-key.pem');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const fromFile = createPublicKey(await readFile(keyFile, 'utf8')).export({ format: 'jwk' });
    expect(fromFile.x).toBe(key!.x);
  });

  it('signs the award as an OpenBadgeCredential that verifies offline', async () => {
    jwt = await exportCredential(server, completion.credentialUrl!, teacher);
    const jwks = await jwksOf(server);
    expect(verifiesWith(jwt, jwks)).toBe(true);
    const { header, payload } = decodeJwt(jwt);
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: jwks.keys[0]!.kid });

    const publicUrl = 'http://localhost:4000';
    const code = completion.verificationCode;
    expect(payload.iss).toBe(publicUrl);
    expect(payload.issuer).toMatchObject({ id: publicUrl, type: ['Profile'] });
    expect(payload.jti).toBe(payload.id);
    expect(payload.id).toBe(`${publicUrl}/verify/${code}`);
    expect(payload.nbf).toBe(Math.floor(Date.parse(payload.validFrom) / 1000));
    expect(payload.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(payload.credentialSubject).toMatchObject({
      type: ['AchievementSubject'],
      creditsEarned: 7.5,
      activityStartDate: '2026-03-01T00:00:00+08:00',
      activityEndDate: '2026-03-02T23:59:59+08:00',
      achievement: {
        type: ['Achievement'],
        achievementType: 'CertificateOfCompletion',
        name: names.activity,
        creditsAvailable: 6,
        humanCode: world.activity.code,
        creator: { type: ['Profile'], name: names.provider },
      },
    });
    // The teacher ID is only given salted and hashed: a verifier can check one, not read it.
    expect(jwt).not.toContain(world.teacher.national_id);
    expect(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).not.toContain(
      world.teacher.national_id,
    );
    const identifiers = payload.credentialSubject.identifier as Array<Record<string, unknown>>;
    const hashed = identifiers.find((i) => i.hashed === true)!;
    expect(hashed.identityHash).toBe(
      `sha256$${createHash('sha256')
        .update(world.teacher.national_id + String(hashed.salt))
        .digest('hex')}`,
    );
    expect(payload.credentialStatus).toEqual({
      id: `${publicUrl}/credentials/status/${code}`,
      type: '1EdTechRevocationList',
    });
  });

  it('fails verification once a single claim is changed', async () => {
    const { header, payload, signature } = decodeJwt(jwt);
    const forged = {
      ...payload,
      credentialSubject: { ...payload.credentialSubject, creditsEarned: 75 },
    };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const tampered = `${encode(header)}.${encode(forged)}.${signature.toString('base64url')}`;
    expect(verifiesWith(tampered, await jwksOf(server))).toBe(false);
  });

  it('keeps the generated key across a restart, so earlier credentials still verify', async () => {
    const restarted = await startTestServer(database, { DATA_DIR: join(keyDir, 'pglite') });
    try {
      expect(verifiesWith(jwt, await jwksOf(restarted))).toBe(true);
    } finally {
      await restarted.stop();
    }
  });

  it('lists the credential as not revoked while it stands', async () => {
    const response = await get(server, `/credentials/status/${completion.verificationCode}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: `http://localhost:4000/credentials/status/${completion.verificationCode}`,
      issuer: 'http://localhost:4000',
      revokedCredentials: [],
    });
    expect((await get(server, `/credentials/status/${transcript.verificationCode}`)).status).toBe(
      404,
    );
    expect((await get(server, '/credentials/status/ZZZZZZZZZZZZZZZZ')).status).toBe(404);
  });

  it('has no credential for a transcript', async () => {
    const path = `/certificates/${localId(transcript.id)}.jwt`;
    expect((await get(server, path, teacher.headers)).status).toBe(404);
  });
});

describe('revocation', () => {
  let revoked: CertificateData;

  it('revokeCertificate turns the code REVOKED, lists it, and stops new credentials', async () => {
    const issued = (await issueCompletion(teacher.call, ids.toRevoke)).data!;
    const earlier = await exportCredential(server, issued.credentialUrl!, teacher);
    const result = await revoke(office.call, issued.id, '  学时记录有误，已另行更正  ');
    expect(result.__typename).toBe('MutationRevokeCertificateSuccess');
    revoked = result.data!;
    expect(revoked.revokedAt).not.toBeNull();

    const { data } = await verifyCode(issued.verificationCode);
    expect(data!.verifyCertificate).toMatchObject({
      status: 'REVOKED',
      revokedOn: todayInChina(),
      teacherName: names.teacher,
      creditHours: 4,
    });
    // The status list names the credential exported before; its signature still checks out,
    // which is why a verifier must read the list.
    const list = await get(server, `/credentials/status/${issued.verificationCode}`);
    const { payload } = decodeJwt(earlier);
    expect(await list.json()).toMatchObject({
      revokedCredentials: [{ id: payload.id, revoked: true }],
    });
    expect(verifiesWith(earlier, await jwksOf(server))).toBe(true);
    const again = await get(server, issued.credentialUrl!, teacher.headers);
    expect(again.status).toBe(410);
    // The PDF still prints, marked revoked, so the holder sees why it no longer verifies.
    const pdf = await get(server, issued.pdfUrl, teacher.headers);
    expect(pdf.status).toBe(200);
    expect(pdfText(Buffer.from(await pdf.arrayBuffer()))).toContain('REVOKED');
    const page = await (await get(server, issued.verificationPath)).text();
    expect(page).toContain('已撤销 · Revoked');

    const audit = await database.db
      .selectFrom('audit_log')
      .select(['before', 'after'])
      .where('action', '=', 'certificate.revoked')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.before).toMatchObject({ revokedAt: null });
    expect(audit[0]!.after).toMatchObject({ revocationReason: '学时记录有误，已另行更正' });
  });

  it('does not reissue a revoked completion certificate', async () => {
    const result = await issueCompletion(teacher.call, ids.toRevoke);
    expect(result).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(result.message).toMatch(/revoked/);
  });

  it('refuses to revoke twice, a blank reason, or a caller outside the office', async () => {
    expect(await revoke(office.call, revoked.id, '再次撤销')).toMatchObject({
      __typename: 'ConflictError',
    });
    const blank = await revoke(office.call, completion.id, '   ');
    expect(blank.__typename).toBe('ValidationError');
    expect(blank.issues![0]!.path).toEqual(['input', 'reason']);
    const { data, errors } = await teacher.call<{ revokeCertificate: MutationResult | null }>(
      `mutation($input: RevokeCertificateInput!) { revokeCertificate(input: $input) { ${outcome} } }`,
      { input: { certificateId: completion.id, reason: '自己撤销' } },
    );
    expect(data?.revokeCertificate ?? null).toBeNull();
    expect(errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const { data: still } = await verifyCode(completion.verificationCode);
    expect(still!.verifyCertificate!.status).toBe('VALID');
  });

  it('a revocation entry in the ledger turns the award’s certificate REVOKED too', async () => {
    const issued = (await issueCompletion(teacher.call, ids.ledgerRevoked)).data!;
    expect((await verifyCode(issued.verificationCode)).data!.verifyCertificate!.status).toBe(
      'VALID',
    );
    await correct(ids.awardOfLedgerRevoked, 'revocation', -3);
    const { data } = await verifyCode(issued.verificationCode);
    expect(data!.verifyCertificate).toMatchObject({ status: 'REVOKED', revokedOn: todayInChina() });
    expect((await get(server, issued.credentialUrl!, teacher.headers)).status).toBe(410);
    const list = (await (
      await get(server, `/credentials/status/${issued.verificationCode}`)
    ).json()) as { revokedCredentials: unknown[] };
    expect(list.revokedCredentials).toHaveLength(1);
    const stored = await database.db
      .selectFrom('certificates')
      .select('revoked_at')
      .where('id', '=', localId(issued.id))
      .executeTakeFirstOrThrow();
    // The certificate row is untouched: the ledger is the one place the revocation is written.
    expect(stored.revoked_at).toBeNull();
  });
});

describe('production posture', () => {
  const signingKey = generateKeyPairSync('ed25519')
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
  const production = { NODE_ENV: 'production', LOG_LEVEL: 'silent' };
  const started: Array<Awaited<ReturnType<typeof startTestServer>>> = [];
  afterAll(async () => {
    for (const each of started) await each.stop();
  });
  async function productionServer(env: Record<string, string>) {
    const target = await startTestServer(database, { ...production, ...env });
    started.push(target);
    // The teacher's school: a teacher's login is one per teacher, and the school holds the
    // certificates too.
    const account = await fx.account('school_admin', world.school);
    return { target, caller: await signIn(target, account) };
  }

  it('without CREDENTIAL_SIGNING_KEY and PUBLIC_URL answers 503 naming the variable', async () => {
    const { target, caller } = await productionServer({});
    const jwks = await get(target, '/.well-known/jwks.json');
    expect(jwks.status).toBe(503);
    expect(await errorOf(jwks)).toMatch(/set CREDENTIAL_SIGNING_KEY/);
    const credential = await get(target, completion.credentialUrl!, caller.headers);
    expect(credential.status).toBe(503);
    expect(await errorOf(credential)).toMatch(/set PUBLIC_URL/);
    const pdf = await get(target, completion.pdfUrl, caller.headers);
    expect(pdf.status).toBe(503);
    expect(await errorOf(pdf)).toMatch(/set PUBLIC_URL/);
    const page = await get(target, completion.verificationPath);
    expect(page.status).toBe(200);
    // Verification needs neither: it reads the database only.
    const { data } = await target.graphql<{ verifyCertificate: { status: string } }>(
      `query($code: String!) { verifyCertificate(code: $code) { status } }`,
      { code: completion.verificationCode },
    );
    expect(data!.verifyCertificate.status).toBe('VALID');
  });

  it('with PUBLIC_URL but no key prints PDFs and refuses to sign, naming the key', async () => {
    const { target, caller } = await productionServer({
      PUBLIC_URL: 'https://credits.example.edu.cn',
    });
    const pdf = await get(target, completion.pdfUrl, caller.headers);
    expect(pdf.status).toBe(200);
    expect(Buffer.from(await pdf.arrayBuffer()).toString('latin1')).toContain(
      `/URI (https://credits.example.edu.cn/verify/${completion.verificationCode})`,
    );
    const credential = await get(target, completion.credentialUrl!, caller.headers);
    expect(credential.status).toBe(503);
    expect(await errorOf(credential)).toMatch(/set CREDENTIAL_SIGNING_KEY/);
  });

  it('with both set signs with the configured key under the public URL', async () => {
    const { target, caller } = await productionServer({
      PUBLIC_URL: 'https://credits.example.edu.cn/',
      CREDENTIAL_SIGNING_KEY: signingKey.trim().replace(/\n/g, '\\n'),
    });
    const jwks = await jwksOf(target);
    const x = createPublicKey(signingKey).export({ format: 'jwk' }).x!;
    expect(jwks.keys).toEqual([
      {
        kty: 'OKP',
        crv: 'Ed25519',
        x,
        kid: thumbprint({ crv: 'Ed25519', kty: 'OKP', x }),
        alg: 'EdDSA',
        use: 'sig',
      },
    ]);
    const jwt = await exportCredential(target, completion.credentialUrl!, caller);
    expect(verifiesWith(jwt, jwks)).toBe(true);
    // A credential signed by the development key does not verify against the production JWKS.
    expect(verifiesWith(exported[0]!, jwks)).toBe(false);
    const { payload } = decodeJwt(jwt);
    expect(payload.iss).toBe('https://credits.example.edu.cn');
    expect(payload.id).toBe(`https://credits.example.edu.cn/verify/${completion.verificationCode}`);
  });

  it('after a planned rotation, what the retired key signed verifies while the JWKS lists it', async () => {
    const oneLine = (pem: string) => pem.trim().replace(/\n/g, '\\n');
    const publicUrl = 'https://credits.example.edu.cn';
    const kidOf = (pem: string) => {
      const x = createPublicKey(pem).export({ format: 'jwk' }).x!;
      return thumbprint({ crv: 'Ed25519', kty: 'OKP', x });
    };
    const before = await productionServer({
      PUBLIC_URL: publicUrl,
      CREDENTIAL_SIGNING_KEY: oneLine(signingKey),
    });
    const signedBefore = await exportCredential(
      before.target,
      completion.credentialUrl!,
      before.caller,
    );

    const next = generateKeyPairSync('ed25519');
    const nextKey = next.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const spkiOf = (pem: string) =>
      createPublicKey(pem).export({ format: 'pem', type: 'spki' }).toString();
    const { target, caller } = await productionServer({
      PUBLIC_URL: publicUrl,
      CREDENTIAL_SIGNING_KEY: oneLine(nextKey),
      // The new key listed as retired too (an operator's slip) is published once.
      CREDENTIAL_RETIRED_PUBLIC_KEYS: oneLine(spkiOf(signingKey) + spkiOf(nextKey)),
    });
    const jwks = await jwksOf(target);
    expect(jwks.keys.map((key) => key.kid)).toEqual([kidOf(nextKey), kidOf(signingKey)]);
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/);
    expect(verifiesWith(signedBefore, jwks)).toBe(true);
    const signedAfter = await exportCredential(target, completion.credentialUrl!, caller);
    expect(decodeJwt(signedAfter).header.kid).toBe(kidOf(nextKey));
    expect(verifiesWith(signedAfter, jwks)).toBe(true);

    // A compromised key is left out of the list: what it signed stops verifying.
    const { target: withoutRetired } = await productionServer({
      PUBLIC_URL: publicUrl,
      CREDENTIAL_SIGNING_KEY: oneLine(nextKey),
    });
    expect(verifiesWith(signedBefore, await jwksOf(withoutRetired))).toBe(false);
  });
});

/** Beside the repository where CI runs: ../shared/conformance from the repository root. */
const conformanceDir = fileURLToPath(new URL('../../../shared/conformance/', import.meta.url));
const schemaFile = join(conformanceDir, 'ob_v3p0_achievementcredential.schema.json');
const haveConformance = existsSync(schemaFile);

describe('Open Badges 3.0 JSON Schema conformance', () => {
  (haveConformance ? it : it.skip)(
    haveConformance
      ? 'every exported credential validates against the official AchievementCredential schema'
      : `skipped: ${schemaFile} is absent, so exported credentials were not checked against the Open Badges 3.0 JSON Schema`,
    async () => {
      const validate = await openBadgesValidator();
      expect(exported.length).toBeGreaterThanOrEqual(3);
      for (const jwt of exported) {
        const { payload } = decodeJwt(jwt);
        // The credential without the JWT's registered claims, and the payload as it is: the
        // schema allows additional properties, so both must pass.
        const { iss: _iss, jti: _jti, nbf: _nbf, ...credential } = payload;
        for (const document of [credential, payload]) {
          const valid = validate(document);
          expect(valid, JSON.stringify(validate.errors, null, 2)).toBe(true);
        }
      }
      // The validator is not vacuous: a credential without its achievement fails.
      const { payload } = decodeJwt(exported[0]!);
      const broken = {
        ...payload,
        credentialSubject: { ...payload.credentialSubject, achievement: undefined },
      };
      expect(validate(JSON.parse(JSON.stringify(broken)))).toBe(false);
      expect(validate({ ...payload, type: ['VerifiableCredential'] })).toBe(false);
    },
  );
});

interface SchemaValidator {
  (document: unknown): boolean;
  errors?: unknown;
}

/**
 * Ajv (draft 2019-09) with formats, as the conformance README asks. ajv is a dev dependency of
 * packages/api, not of the workspace root, so it is resolved from there.
 */
async function openBadgesValidator(): Promise<SchemaValidator> {
  const requireFromApi = createRequire(new URL('../../packages/api/package.json', import.meta.url));
  const { default: Ajv2019 } = requireFromApi('ajv/dist/2019') as {
    default: new (options: object) => { compile(schema: object): SchemaValidator };
  };
  const { default: addFormats } = requireFromApi('ajv-formats') as {
    default: (ajv: object) => void;
  };
  // The official schema is not written for Ajv's strict mode (e.g. tuple `items` without
  // maxItems); strictness is about schema style, not about what a document must satisfy.
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(await readFile(schemaFile, 'utf8')) as object);
}

/**
 * The text layer of a pdfkit PDF: content streams are inflated and the glyph ids of every
 * TJ/Tj string are mapped back to characters through the font's ToUnicode CMap. pdfkit writes
 * one embedded font here (the CJK font), so one map serves every string.
 */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const streams: string[] = [];
  for (const match of raw.matchAll(/stream\r?\n/g)) {
    const start = match.index + match[0].length;
    const end = raw.indexOf('endstream', start);
    try {
      streams.push(inflateSync(pdf.subarray(start, end)).toString('latin1'));
    } catch {
      // Not deflated (or not a stream at all): fonts and images carry no text.
    }
  }
  const glyphs = new Map<number, string>();
  const unicode = (hex: string) =>
    String.fromCodePoint(...(hex.match(/[0-9a-fA-F]{4}/g) ?? []).map((h) => parseInt(h, 16)));
  for (const cmap of streams.filter((s) => s.includes('beginbfrange'))) {
    for (const [, from, , targets] of cmap.matchAll(
      /<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*\[([^\]]*)\]/g,
    )) {
      [...targets!.matchAll(/<([0-9a-fA-F ]+)>/g)].forEach(([, hex], offset) =>
        glyphs.set(parseInt(from!, 16) + offset, unicode(hex!.replace(/ /g, ''))),
      );
    }
  }
  const lines: string[] = [];
  for (const content of streams.filter((s) => /\bTJ\b|\bTj\b/.test(s))) {
    for (const [, array, single] of content.matchAll(/\[([^\]]*)\]\s*TJ|(<[0-9a-fA-F]*>)\s*Tj/g)) {
      const hexes = [...(array ?? single ?? '').matchAll(/<([0-9a-fA-F]*)>/g)].map(
        ([, hex]) => hex!,
      );
      lines.push(
        hexes
          .flatMap((hex) => hex.match(/[0-9a-fA-F]{4}/g) ?? [])
          .map((id) => glyphs.get(parseInt(id, 16)) ?? '\uFFFD')
          .join(''),
      );
    }
  }
  return lines.join('\n');
}
