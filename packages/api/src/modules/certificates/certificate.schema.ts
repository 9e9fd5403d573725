import { builder } from '../../builder';
import { CertificateRef } from '../credits/credit.schema';
import { verificationPath } from './public-url';
import './certificate-verification.schema';
import './certificate.mutations';

/**
 * Where a certificate can be fetched. The files themselves are served by plain HTTP routes
 * (http/certificate-routes.ts) to the same callers who may see the certificate here.
 */
builder.objectFields(CertificateRef, (t) => ({
  pdfUrl: t.string({
    description: 'Path of the certificate as a PDF, for callers who may see it.',
    resolve: (certificate) => `/certificates/${certificate.id}.pdf`,
  }),
  credentialUrl: t.string({
    nullable: true,
    description:
      'Path of the award as a signed Open Badges 3.0 credential (VC-JWT); null for transcripts, which attest no single award.',
    resolve: (certificate) =>
      certificate.kind === 'completion' ? `/certificates/${certificate.id}.jwt` : null,
  }),
  verificationPath: t.string({
    description: 'Path of the public verification page that its QR code links to.',
    resolve: (certificate) => verificationPath(certificate.verificationCode),
  }),
}));
