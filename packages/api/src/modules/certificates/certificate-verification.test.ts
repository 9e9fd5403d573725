import { describe, expect, it } from 'vitest';
import {
  chinaDate,
  normalizeVerificationCode,
  type PublicVerification,
} from './certificate-verification';
import { verificationPage } from './verification-page';

describe('normalizeVerificationCode', () => {
  it.each([
    ['TA63M2D8YQH8EHHJ', 'TA63M2D8YQH8EHHJ'],
    ['ta63-m2d8-yqh8-ehhj', 'TA63M2D8YQH8EHHJ'],
    ['  TA63 M2D8\tYQH8 EHHJ ', 'TA63M2D8YQH8EHHJ'],
    ['ABCD1234', 'ABCD1234'],
    ['A'.repeat(32), 'A'.repeat(32)],
    ['ABC1234', null],
    ['A'.repeat(33), null],
    ['TA63_M2D8_YQH8', null],
    ['验证码12345678', null],
    ['', null],
    // Dashes would normalize away, but input this long is refused before any work on it.
    [`${'-'.repeat(60)}ABCD1234`, null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeVerificationCode(input)).toBe(expected);
  });
});

describe('chinaDate', () => {
  it.each([
    ['2026-03-01T15:59:59Z', '2026-03-01'],
    ['2026-03-01T16:00:00Z', '2026-03-02'],
    ['2026-12-31T16:30:00Z', '2027-01-01'],
  ])('%s is %s in China', (instant, day) => {
    expect(chinaDate(new Date(instant))).toBe(day);
  });
});

describe('verificationPage', () => {
  const valid: PublicVerification = {
    status: 'valid',
    kind: 'completion',
    verificationCode: 'TA63M2D8YQH8EHHJ',
    teacherName: '王<script>alert(1)</script>',
    activityTitle: '“课堂观察” & 评价',
    cycleName: null,
    startsOn: '2026-03-01',
    endsOn: '2026-03-02',
    creditHours: 7.5,
    issuerName: '市教师发展中心',
    issuedOn: '2026-03-05',
    revokedOn: null,
  };

  it.each([
    ['malformed', 'malformed' as const, 400, '验证码格式有误'],
    ['unknown', null, 404, '未找到证书'],
    ['valid', valid, 200, '有效 · Valid'],
    ['revoked', { ...valid, status: 'revoked', revokedOn: '2026-04-01' } as const, 200, '已撤销'],
  ])('%s answers %s', (_name, answer, status, heading) => {
    const page = verificationPage(answer);
    expect(page.status).toBe(status);
    expect(page.html).toContain(`<h1>${heading}`);
  });

  it('escapes every value and leaves out facts a certificate does not have', () => {
    const { html } = verificationPage(valid);
    expect(html).not.toContain('<script>');
    expect(html).toContain('王&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('“课堂观察” &amp; 评价');
    expect(html).toContain('2026-03-01 至 2026-03-02');
    expect(html).not.toContain('学分周期');
    expect(html).not.toContain('撤销日期');
  });
});
