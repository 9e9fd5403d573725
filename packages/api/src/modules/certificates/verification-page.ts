import type { PublicVerification } from './certificate-verification';

/**
 * The public verification page, in Chinese and English: the same facts the verifyCertificate
 * query answers (certificate-verification.ts), as a self-contained HTML page with no script, so
 * it opens on any phone that scanned the QR code. Every value is escaped.
 */
export function verificationPage(answer: PublicVerification | null | 'malformed'): {
  status: number;
  html: string;
} {
  if (answer === 'malformed') {
    return {
      status: 400,
      html: layout(
        '验证码格式有误 · Malformed code',
        `<p>验证码应为 8 至 32 位字母或数字，大小写、空格和连字符不影响。</p>
<p>A verification code is 8 to 32 letters and digits; case, spaces and dashes do not matter.</p>`,
      ),
    };
  }
  if (answer === null) {
    return {
      status: 404,
      html: layout(
        '未找到证书 · No such certificate',
        `<p>未找到使用该验证码的证书，请核对证书上印制的验证码。</p>
<p>No certificate has this verification code. Check the code printed on the certificate.</p>`,
      ),
    };
  }
  const valid = answer.status === 'valid';
  const facts: Array<[string, string | null]> = [
    ['证书类型 Kind', answer.kind === 'completion' ? '结业证书 Completion' : '学分证明 Transcript'],
    ['验证码 Code', answer.verificationCode],
    ['教师 Teacher', answer.teacherName],
    ['培训活动 Activity', answer.activityTitle],
    ['学分周期 Cycle', answer.cycleName],
    [
      '起止日期 Dates',
      answer.startsOn && answer.endsOn ? `${answer.startsOn} 至 ${answer.endsOn}` : null,
    ],
    ['学时 Credit hours', String(answer.creditHours)],
    ['发证机构 Issued by', answer.issuerName],
    ['发证日期 Issued on', answer.issuedOn],
    ['撤销日期 Revoked on', answer.revokedOn],
  ];
  const rows = facts
    .filter((fact): fact is [string, string] => fact[1] !== null)
    .map(([label, value]) => `<tr><th>${escape(label)}</th><td>${escape(value)}</td></tr>`)
    .join('\n');
  return {
    status: 200,
    html: layout(
      valid ? '有效 · Valid' : '已撤销 · Revoked',
      `<p class="${valid ? 'valid' : 'revoked'}">${
        valid
          ? '该证书由本系统签发，现仍有效。This certificate was issued by the registry and still stands.'
          : '该证书或其记载的学分已被撤销，不再证明任何事项。This certificate, or the credit it attests, was revoked: it no longer proves anything.'
      }</p>
<table>
${rows}
</table>`,
    ),
  };
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · 证书验证 Certificate verification</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1f2933; }
h1 { font-size: 1.5rem; }
.valid { color: #0b6e4f; font-weight: 600; }
.revoked { color: #8b1e1e; font-weight: 600; }
th { text-align: left; padding: 0.25rem 1rem 0.25rem 0; color: #52606d; font-weight: normal; vertical-align: top; }
td { padding: 0.25rem 0; }
</style>
</head>
<body>
<h1>${escape(title)}</h1>
${body}
</body>
</html>
`;
}

function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
