import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CertificateFacts } from '@registry/db';
import { progressAgainstRequirement, transcriptTotals } from '@registry/domain';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { chinaDate } from './certificate-verification';
import { verificationPath } from './public-url';

/**
 * Certificates as PDF: a completion certificate per award and a transcript per requirement
 * cycle, each with the teacher's name, the facts, the hours, the verification code and a QR
 * code of the public verification page.
 *
 * Chinese needs a CJK font. It comes from npm (@embedpdf/fonts-sc: Noto Sans Hans, OFL, about
 * 31,000 glyphs including the rarer characters of personal names), so every machine renders the
 * same PDF without system fonts (docs/decisions/0007-certificates-and-open-badges.md). pdfkit embeds only the
 * glyphs a document uses, so a certificate stays small.
 */

const require = createRequire(import.meta.url);
let fontBytes: Promise<Buffer> | undefined;

/** Read once per process: the file is 8 MB and never changes. */
function cjkFont(): Promise<Buffer> {
  fontBytes ??= (async () => {
    // The package exports only its metadata module; the fonts sit beside it.
    const packageEntry = require.resolve('@embedpdf/fonts-sc');
    const path = join(dirname(packageEntry), '..', 'fonts', 'NotoSansHans-Regular.otf');
    try {
      return await readFile(path);
    } catch (error) {
      fontBytes = undefined;
      throw new Error(
        `The CJK font for certificates is missing at ${path}; run pnpm install (package @embedpdf/fonts-sc).`,
        { cause: error },
      );
    }
  })();
  return fontBytes;
}

const page = { width: 595.28, height: 841.89, margin: 56 };
const ink = '#1f2933';
const muted = '#52606d';
const accent = '#8b1e1e';

export async function renderCertificatePdf(
  facts: CertificateFacts,
  publicUrl: string,
): Promise<Buffer> {
  const code = facts.certificate.verificationCode;
  const verifyUrl = `${publicUrl}${verificationPath(code)}`;
  const title =
    facts.certificate.kind === 'completion' ? '继续教育培训结业证书' : '继续教育学分证明';
  const doc = new PDFDocument({
    size: 'A4',
    margin: page.margin,
    info: {
      Title: `${title} ${code}`,
      Author: registryAuthor(facts),
      // Plain ASCII, so the code can be found in the file by a machine as well as on paper.
      Subject: `Verification code ${code}`,
      Keywords: `certificate verification ${code}`,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.registerFont('cjk', await cjkFont());
  doc.font('cjk').fillColor(ink);
  doc
    .rect(28, 28, page.width - 56, page.height - 56)
    .lineWidth(2)
    .strokeColor(accent)
    .stroke();

  doc.moveDown(1.5);
  doc.fontSize(28).fillColor(accent).text(title, { align: 'center' });
  doc
    .fontSize(12)
    .fillColor(muted)
    .text(
      facts.certificate.kind === 'completion'
        ? 'Certificate of completion'
        : 'Transcript of continuing-education credit hours',
      { align: 'center' },
    );
  doc.moveDown(2).fillColor(ink);

  if (facts.completion) writeCompletion(doc, facts);
  else if (facts.transcript) writeTranscript(doc, facts);

  if (facts.revocation) {
    doc.moveDown(1);
    doc
      .fontSize(16)
      .fillColor(accent)
      .text(`已撤销 · REVOKED ${chinaDate(facts.revocation.at)}：此证书不再有效。`, {
        align: 'center',
      });
    doc.fillColor(ink);
  }

  writeVerification(doc, code, verifyUrl);
  doc.end();
  return finished;
}

function registryAuthor(facts: CertificateFacts): string {
  return facts.completion?.provider.name ?? facts.transcript?.officeName ?? '';
}

function writeCompletion(doc: PDFKit.PDFDocument, facts: CertificateFacts) {
  const { activity, provider, award, category } = facts.completion!;
  doc.fontSize(14);
  doc.text(
    `兹证明 ${facts.teacher.name}（${facts.teacher.schoolName}）于 ${activity.startsOn} 至 ${activity.endsOn} 参加 ${provider.name} 举办的“${activity.title}”培训，经考核合格，准予结业，获得继续教育学分 ${award.hours} 学时（${category.nameZh}）。`,
    { lineGap: 8, align: 'justify' },
  );
  doc.moveDown(1).fontSize(11).fillColor(muted);
  doc.text(
    `${facts.teacher.name} completed "${activity.title}" run by ${provider.name} from ${activity.startsOn} to ${activity.endsOn} and was awarded ${award.hours} credit hours (${category.nameEn}).`,
    { lineGap: 4 },
  );
  doc.moveDown(1.5).fillColor(ink).fontSize(12);
  fact(doc, '活动编号 Activity code', activity.code);
  fact(doc, '学分类别 Category', `${category.nameZh} / ${category.nameEn}`);
  fact(doc, '学时 Credit hours', String(award.hours));
  fact(doc, '记入日期 Earned on', award.earnedOn);
  fact(doc, '发证机构 Issued by', provider.name);
  fact(doc, '发证日期 Issued on', chinaDate(facts.certificate.issuedAt));
}

function writeTranscript(doc: PDFKit.PDFDocument, facts: CertificateFacts) {
  const transcript = facts.transcript!;
  const { policy } = transcript;
  const asOf = chinaDate(new Date());
  const totals = transcriptTotals(transcript.entries).find((t) => t.policyId === policy.id) ?? {
    policyId: policy.id,
    totalHours: 0,
    byKind: { award: 0, adjustment: 0, revocation: 0 },
    categories: [],
    cells: [],
  };
  const progress = progressAgainstRequirement(totals, policy, asOf);
  const nameOf = (code: string) => transcript.categoryNames[code]?.zh ?? code;

  doc.fontSize(14);
  doc.text(
    `${facts.teacher.name}（${facts.teacher.schoolName}）在“${policy.name}”${policy.cycleStartsOn} 至 ${policy.cycleEndsOn} 周期内，截至 ${asOf} 共获得继续教育学分 ${progress.total.earned} 学时，计入要求 ${progress.total.counted} 学时，周期要求 ${progress.total.required} 学时。`,
    { lineGap: 8, align: 'justify' },
  );
  doc.moveDown(1).fontSize(11).fillColor(muted);
  doc.text(
    `As of ${asOf}, ${facts.teacher.name} holds ${progress.total.earned} credit hours in the cycle ${policy.cycleStartsOn} – ${policy.cycleEndsOn}; ${progress.total.counted} of the required ${progress.total.required} count after caps.`,
    { lineGap: 4 },
  );
  doc.moveDown(1).fillColor(ink).fontSize(12);
  for (const line of progress.categories) {
    fact(
      doc,
      nameOf(line.category),
      `${line.earned} 学时${line.required ? `（最低 ${line.required}）` : ''}${line.cap !== null ? `（上限 ${line.cap}）` : ''}`,
    );
  }
  doc.moveDown(0.5).fontSize(10).fillColor(muted);
  for (const entry of transcript.entries) {
    const what = entry.activityTitle ?? (entry.kind === 'adjustment' ? '学时调整' : '学时撤销');
    doc.text(`${entry.earnedOn}  ${what}  ${nameOf(entry.category)}  ${entry.hours} 学时`);
  }
  doc.fillColor(ink).fontSize(12).moveDown(0.5);
  fact(doc, '认定机构 Issued by', transcript.officeName ?? transcript.regionName);
  fact(doc, '开具日期 Issued on', chinaDate(facts.certificate.issuedAt));
}

function fact(doc: PDFKit.PDFDocument, label: string, value: string) {
  doc.text(`${label}：${value}`, { lineGap: 4 });
}

/** Code and QR code at the foot of the last page, on a new page if the text reached it. */
function writeVerification(doc: PDFKit.PDFDocument, code: string, url: string) {
  const size = 110;
  const top = page.height - page.margin - size - 10;
  if (doc.y > top - 10) doc.addPage();
  const left = page.width - page.margin - size;
  drawQrCode(doc, url, left, top, size);
  doc.link(left, top, size, size, url);
  doc
    .fontSize(12)
    .fillColor(ink)
    .text(`验证码 Verification code：${code}`, page.margin, top + 20, {
      width: left - page.margin - 16,
    });
  doc
    .fontSize(9)
    .fillColor(muted)
    .text(`扫描二维码或访问以下地址验证 · Scan or visit to verify:`, { width: left - 72 })
    .text(url, { width: left - page.margin - 16, link: url });
}

/** The QR code as vector squares: sharp at any zoom, no image library needed. */
function drawQrCode(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  // A quiet zone of 2 modules each side keeps scanners happy next to the text.
  const cell = size / (modules.size + 4);
  for (let row = 0; row < modules.size; row += 1) {
    for (let column = 0; column < modules.size; column += 1) {
      if (modules.get(row, column)) {
        doc.rect(x + (column + 2) * cell, y + (row + 2) * cell, cell, cell);
      }
    }
  }
  doc.fillColor('#000000').fill();
}
