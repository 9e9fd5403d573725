import type { ServerResponse } from 'node:http';
import { findCertificateFactsByCode, findCertificateFactsById } from '@registry/db';
import { renderCertificatePdf } from '../modules/certificates/certificate-pdf';
import {
  normalizeVerificationCode,
  publicVerification,
} from '../modules/certificates/certificate-verification';
import { verificationPage } from '../modules/certificates/verification-page';
import {
  openBadgeCredential,
  revocationList,
  signCredential,
} from '../modules/certificates/open-badge-credential';
import { publicUrlOf } from '../modules/certificates/public-url';
import {
  NotConfiguredError,
  publishedKeys,
  signingKeyFor,
} from '../modules/certificates/signing-key';
import type { Route, RouteRequest } from './routes';

/**
 * Certificate PDFs and credentials for those who may see them; the public verification page,
 * the credential status lists and the credential-signing JWKS for anyone (issue 4, point 8).
 */
export const certificateRoutes: Route[] = [
  {
    method: 'GET',
    path: '/.well-known/jwks.json',
    handle: (request) =>
      answer(request, async () => {
        const keys = await publishedKeys(request.config);
        send(request, 200, 'application/jwk-set+json', JSON.stringify({ keys }), {
          // Public and rarely changing; short enough that a rotated key shows up soon.
          'cache-control': 'public, max-age=300',
        });
      }),
  },
  {
    // /certificates/<id>.pdf and /certificates/<id>.jwt, for callers who may see the certificate.
    method: 'GET',
    path: '/certificates/',
    handle: (request) =>
      answer(request, async () => {
        const match = /^\/certificates\/([1-9][0-9]{0,9})\.(pdf|jwt)$/.exec(request.url.pathname);
        const id = match ? Number(match[1]) : NaN;
        if (!match || id > 2_147_483_647) return problem(request, 404, 'No such certificate.');
        const context = await request.context();
        if (!context.viewer) return problem(request, 401, 'Sign in first.');
        // Through the caller's loader, so visibility is the same SQL as everywhere else; an
        // invisible certificate is answered exactly like a missing one.
        if (!(await context.loaders.certificate.load(id))) {
          return problem(request, 404, 'No such certificate.');
        }
        const facts = await findCertificateFactsById(request.database.db, id);
        if (!facts) return problem(request, 404, 'No such certificate.');
        const publicUrl = publicUrlOf(request.config);
        const code = facts.certificate.verificationCode;
        if (match[2] === 'pdf') {
          const pdf = await renderCertificatePdf(facts, publicUrl);
          return send(request, 200, 'application/pdf', pdf, {
            'content-disposition': `inline; filename="certificate-${code}.pdf"`,
            'cache-control': 'private, no-store',
          });
        }
        const credential = openBadgeCredential(facts, publicUrl);
        if (!credential) {
          return problem(request, 404, 'A transcript attests no single award: no credential.');
        }
        // Signing a fresh credential for what no longer stands would hand out a proof we
        // know is void; credentials signed earlier turn revoked through their status list.
        if (facts.revocation) return problem(request, 410, 'This certificate was revoked.');
        const jwt = signCredential(credential, await signingKeyFor(request.config));
        return send(request, 200, 'application/vc+jwt', jwt, {
          'content-disposition': `attachment; filename="credential-${code}.jwt"`,
          'cache-control': 'private, no-store',
        });
      }),
  },
  {
    // The page a certificate's QR code opens: rendered here, without the SPA or a sign-in, so a
    // phone camera gets the answer in one plain request.
    method: 'GET',
    path: '/verify/',
    handle: async (request) => {
      const raw = decodePath(request.url.pathname.slice('/verify/'.length));
      const code = raw === null ? null : normalizeVerificationCode(raw);
      const facts = code ? await findCertificateFactsByCode(request.database.db, code) : null;
      const page = verificationPage(
        code === null ? 'malformed' : facts && publicVerification(facts),
      );
      send(request, page.status, 'text/html; charset=utf-8', page.html, {
        // The answer changes when a certificate is revoked: never from a cache.
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-robots-tag': 'noindex',
      });
    },
  },
  {
    // The 1EdTech revocation list named by each credential's credentialStatus. Public: it says
    // only whether the credential with this code is revoked.
    method: 'GET',
    path: '/credentials/status/',
    handle: (request) =>
      answer(request, async () => {
        const raw = request.url.pathname.slice('/credentials/status/'.length);
        const code = normalizeVerificationCode(raw);
        const facts = code ? await findCertificateFactsByCode(request.database.db, code) : null;
        if (!facts || facts.certificate.kind !== 'completion') {
          return problem(request, 404, 'No such credential.');
        }
        const list = revocationList(facts, publicUrlOf(request.config));
        return send(request, 200, 'application/json; charset=utf-8', JSON.stringify(list), {
          'cache-control': 'no-cache',
        });
      }),
  },
];

/** Missing configuration answers 503 with what to set; anything else goes to the server's 500. */
async function answer(request: RouteRequest, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof NotConfiguredError)) throw error;
    request.log.error({ requestId: request.requestId, err: error }, 'certificates not configured');
    problem(request, 503, error.message);
  }
}

function problem(request: RouteRequest, status: number, message: string): void {
  send(
    request,
    status,
    'application/json; charset=utf-8',
    JSON.stringify({ error: message, requestId: request.requestId }),
  );
}

function send(
  { res, requestId }: { res: ServerResponse; requestId: string },
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    ...headers,
  });
  res.end(body);
}

/** A percent-decoded path segment, or null when it does not decode. */
function decodePath(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
