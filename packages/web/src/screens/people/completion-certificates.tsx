import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';

const CompletedEnrollmentsQuery = graphql(`
  query MyCompletedEnrollments {
    teachers(first: 1) {
      edges {
        node {
          id
          enrollments(first: 100) {
            edges {
              node {
                id
                status
                activity {
                  id
                  title
                }
              }
            }
          }
        }
      }
    }
  }
`);

const IssueMutation = graphql(`
  mutation IssueCompletionCertificate($input: IssueCompletionCertificateInput!) {
    issueCompletionCertificate(input: $input) {
      __typename
      ... on MutationIssueCompletionCertificateSuccess {
        data {
          id
          verificationCode
        }
      }
      ... on UserError {
        message
      }
    }
  }
`);

/**
 * Crediting writes the award; the completion certificate is issued when the teacher asks for it
 * (decision 0007). Each completed activity gets a button: asking again is harmless, the API
 * answers with the certificate already issued, so the list needs no pairing of certificates to
 * enrollments (which the API does not expose).
 */
export function CompletionCertificates(props: { onIssued(): void }) {
  const { t } = useLocale();
  const [result] = useQuery({ query: CompletedEnrollmentsQuery });
  const [issuing, issue] = useMutation(IssueMutation);
  const [outcomes, setOutcomes] = useState<Record<string, { ok: boolean; text: string }>>({});
  const completed =
    result.data?.teachers.edges[0]?.node.enrollments.edges
      .map((e) => e.node)
      .filter((e) => e.status === 'COMPLETED' && e.activity) ?? [];
  if (completed.length === 0) return null;

  async function ask(enrollmentId: string) {
    const answer = await issue({ input: { enrollmentId } });
    const payload = answer.data?.issueCompletionCertificate;
    const outcome = !payload
      ? { ok: false, text: t('common.networkError') }
      : payload.__typename === 'MutationIssueCompletionCertificateSuccess'
        ? {
            ok: true,
            text: t('people.certificates.issuedCode', { code: payload.data.verificationCode }),
          }
        : { ok: false, text: 'message' in payload ? payload.message : '' };
    setOutcomes((known) => ({ ...known, [enrollmentId]: outcome }));
    if (outcome.ok) props.onIssued();
  }

  return (
    <section aria-labelledby="completed-heading">
      <h2 id="completed-heading">{t('people.certificates.completed')}</h2>
      <p className="hint">{t('people.certificates.completedHint')}</p>
      <ul className="completed-list">
        {completed.map((enrollment) => (
          <li key={enrollment.id} data-enrollment={enrollment.id}>
            <span>{enrollment.activity!.title}</span>{' '}
            <button
              type="button"
              disabled={issuing.fetching}
              aria-label={t('people.certificates.issueFor', { title: enrollment.activity!.title })}
              onClick={() => void ask(enrollment.id)}
            >
              {t('people.certificates.issue')}
            </button>
            {outcomes[enrollment.id] && (
              <span role={outcomes[enrollment.id]!.ok ? 'status' : 'alert'}>
                {' '}
                {outcomes[enrollment.id]!.text}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
