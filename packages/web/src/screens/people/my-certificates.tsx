import { useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { QueryState } from '../query-state';
import { CompletionCertificates } from './completion-certificates';
import './people.css';

const MyCertificatesQuery = graphql(`
  query MyCertificates {
    me {
      teacher {
        id
        certificates(first: 100) {
          totalCount
          edges {
            node {
              id
              kind
              issuedAt
              verificationCode
              pdfUrl
              credentialUrl
              revokedAt
              revocationReason
            }
          }
        }
      }
    }
  }
`);

/** Certificates issued to the signed-in teacher, each with its PDF from the gateway. */
export default function MyCertificatesScreen() {
  const { t, formatDateTime } = useLocale();
  const [result, reexecute] = useQuery({ query: MyCertificatesQuery });
  if (!result.data) {
    return (
      <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
    );
  }
  const certificates = result.data.me?.teacher?.certificates.edges.map((e) => e.node) ?? [];
  return (
    <section className="people">
      <h1>{t('people.certificates.title')}</h1>
      {certificates.length === 0 ? (
        <p>{t('people.certificates.empty')}</p>
      ) : (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('people.certificates.kind')}</th>
              <th scope="col">{t('people.certificates.issued')}</th>
              <th scope="col">{t('people.certificates.code')}</th>
              <th scope="col">{t('people.certificates.status')}</th>
              <th scope="col">{t('people.certificates.files')}</th>
            </tr>
          </thead>
          <tbody>
            {certificates.map((certificate) => (
              <tr key={certificate.id}>
                <td>{t(`people.cert.${certificate.kind}`)}</td>
                <td>{formatDateTime(certificate.issuedAt)}</td>
                <td className="code">{certificate.verificationCode}</td>
                <td>
                  {certificate.revokedAt ? (
                    <span className="status status-rejected">
                      {t('people.certificates.revoked', {
                        date: formatDateTime(certificate.revokedAt),
                      })}
                    </span>
                  ) : (
                    <span className="status status-open">{t('people.certificates.valid')}</span>
                  )}
                  {certificate.revocationReason && (
                    <div className="hint">{certificate.revocationReason}</div>
                  )}
                </td>
                <td>
                  <div className="links">
                    {/* Plain links: the gateway serves the PDF with the session cookie. */}
                    <a href={certificate.pdfUrl} target="_blank" rel="noopener">
                      {t('people.certificates.pdf', { code: certificate.verificationCode })}
                    </a>
                    {certificate.credentialUrl && !certificate.revokedAt && (
                      <a href={certificate.credentialUrl} download>
                        {t('people.certificates.credential')}
                      </a>
                    )}
                    <Link href={`/verify?code=${encodeURIComponent(certificate.verificationCode)}`}>
                      {t('people.certificates.verify')}
                    </Link>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <CompletionCertificates onIssued={() => reexecute({ requestPolicy: 'network-only' })} />
    </section>
  );
}
