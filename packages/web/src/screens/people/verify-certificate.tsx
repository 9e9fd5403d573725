import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { useLocation, useSearch } from 'wouter';
import { graphql } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { FieldIssue } from './outcome';
import './people.css';

const VerifyCertificateQuery = graphql(`
  query VerifyCertificate($code: String!) {
    verifyCertificate(code: $code) {
      verificationCode
      status
      kind
      teacherName
      issuerName
      activityTitle
      cycleName
      creditHours
      startsOn
      endsOn
      issuedOn
      revokedOn
    }
  }
`);

/**
 * Anyone, signed in or not, checks a certificate by the code printed on it. The code goes in
 * the URL (?code=) so an answer can be shared; /verify/<code> stays the server's page for QR
 * links, so this screen lives at /verify only.
 */
export default function VerifyCertificateScreen() {
  const { t, formatDate, formatNumber } = useLocale();
  const [, navigate] = useLocation();
  const asked = new URLSearchParams(useSearch()).get('code')?.trim() ?? '';
  const [draft, setDraft] = useState(asked);
  const [result, reexecute] = useQuery({
    query: VerifyCertificateQuery,
    variables: { code: asked },
    pause: asked === '',
    requestPolicy: 'network-only',
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const code = draft.trim();
    if (code === asked) reexecute({ requestPolicy: 'network-only' });
    else navigate(code ? `/verify?code=${encodeURIComponent(code)}` : '/verify', { replace: true });
  }

  // The gateway refuses a malformed code with a GraphQL error about the argument: show it at
  // the field, like any other input problem.
  const fieldError =
    result.error && !result.error.networkError
      ? (result.error.graphQLErrors[0]?.message ?? '')
      : undefined;
  const answer = result.data?.verifyCertificate;
  return (
    <section className="people">
      <h1>{t('people.verify.title')}</h1>
      <p className="hint">{t('people.verify.intro')}</p>
      <form className="inline-form" onSubmit={submit} noValidate>
        <label htmlFor="verification-code">{t('people.verify.code')}</label>
        <input
          id="verification-code"
          name="code"
          autoComplete="off"
          spellCheck={false}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? 'verification-code-issue' : undefined}
        />
        <button type="submit" disabled={result.fetching}>
          {t('people.verify.submit')}
        </button>
        <FieldIssue id="verification-code-issue" message={fieldError} />
      </form>
      {result.error?.networkError && (
        <div role="alert" className="alert">
          <p>{t('common.networkError')}</p>
          <button type="button" onClick={() => reexecute({ requestPolicy: 'network-only' })}>
            {t('common.retry')}
          </button>
        </div>
      )}
      <div aria-live="polite">
        {result.fetching && <p role="status">{t('common.loading')}</p>}
        {!result.fetching && asked && result.data && !answer && (
          <p className="verdict verdict-unknown">{t('people.verify.unknown', { code: asked })}</p>
        )}
        {answer && (
          <article className="panel" aria-labelledby="verdict">
            <h2
              id="verdict"
              className={`verdict verdict-${answer.status === 'VALID' ? 'valid' : 'revoked'}`}
            >
              {answer.status === 'VALID' ? t('people.verify.valid') : t('people.verify.revoked')}
            </h2>
            <dl className="facts">
              <dt>{t('people.verify.codeShown')}</dt>
              <dd className="code">{answer.verificationCode}</dd>
              <dt>{t('people.verify.kind')}</dt>
              <dd>
                {t(
                  answer.kind === 'COMPLETION'
                    ? 'people.cert.COMPLETION'
                    : 'people.cert.TRANSCRIPT',
                )}
              </dd>
              <dt>{t('people.verify.teacher')}</dt>
              <dd>{answer.teacherName}</dd>
              <dt>{t('people.verify.issuer')}</dt>
              <dd>{answer.issuerName}</dd>
              {answer.activityTitle && (
                <>
                  <dt>{t('people.verify.activity')}</dt>
                  <dd>{answer.activityTitle}</dd>
                </>
              )}
              {answer.cycleName && (
                <>
                  <dt>{t('people.verify.cycle')}</dt>
                  <dd>{answer.cycleName}</dd>
                </>
              )}
              {answer.startsOn && answer.endsOn && (
                <>
                  <dt>{t('people.verify.dates')}</dt>
                  <dd>
                    {formatDate(answer.startsOn)} – {formatDate(answer.endsOn)}
                  </dd>
                </>
              )}
              <dt>{t('people.verify.hours')}</dt>
              <dd>{formatNumber(answer.creditHours)}</dd>
              <dt>{t('people.verify.issued')}</dt>
              <dd>{formatDate(answer.issuedOn)}</dd>
              {answer.revokedOn && (
                <>
                  <dt>{t('people.verify.revokedOn')}</dt>
                  <dd>{formatDate(answer.revokedOn)}</dd>
                </>
              )}
            </dl>
          </article>
        )}
      </div>
    </section>
  );
}
