import { useEffect } from 'react';
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { QueryState } from '../query-state';
import './people.css';

const SessionCheckinQuery = graphql(`
  query SessionCheckin($id: ID!) {
    node(id: $id) {
      id
      ... on Session {
        sequence
        title
        startsAt
        endsAt
        checkinCode {
          code
          validUntil
          opensAt
          closesAt
          qrText
          qrCodeSvg
        }
      }
    }
  }
`);

/**
 * The code to put on the projector: large, with its QR code. The code rotates every minute;
 * the screen asks for the new one as soon as the shown one's minute is over.
 */
export default function SessionCheckinCodeScreen(props: {
  params: Record<string, string | undefined>;
}) {
  const { t, formatDateTime } = useLocale();
  const id = props.params.id ?? '';
  const [result, reexecute] = useQuery({
    query: SessionCheckinQuery,
    variables: { id },
    requestPolicy: 'network-only',
  });
  const node = result.data?.node;
  const session = node && 'checkinCode' in node ? node : null;
  const validUntil = session?.checkinCode?.validUntil;
  useEffect(() => {
    if (!validUntil) return;
    // A second late, so the server's clock has certainly moved to the next code.
    const wait = Math.max(1_000, Date.parse(validUntil) - Date.now() + 1_000);
    const timer = setTimeout(() => reexecute({ requestPolicy: 'network-only' }), wait);
    return () => clearTimeout(timer);
  }, [validUntil, reexecute]);

  if (!result.data) {
    return (
      <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
    );
  }
  if (!session) return <p>{t('people.code.notFound')}</p>;
  const code = session.checkinCode;
  return (
    <section className="people">
      <h1>
        {t('activity.session', { n: session.sequence })}: {session.title}
      </h1>
      <p className="hint">
        {formatDateTime(session.startsAt)} – {formatDateTime(session.endsAt)}
      </p>
      {!code ? (
        <p>{t('people.code.unavailable')}</p>
      ) : (
        <div className="checkin-code panel">
          {(Date.now() < Date.parse(code.opensAt) || Date.now() > Date.parse(code.closesAt)) && (
            <p className="notice">{t('people.code.outsideWindow')}</p>
          )}
          <p>{t('people.code.instructions')}</p>
          <p
            className="big-code"
            aria-live="polite"
            aria-label={t('people.code.label', { code: code.code.split('').join(' ') })}
          >
            {code.code}
          </p>
          <img
            className="qr"
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(code.qrCodeSvg)}`}
            alt={t('people.code.qrAlt', { code: code.code })}
            width={240}
            height={240}
          />
          <p className="hint">
            {t('people.code.validUntil', { time: formatDateTime(code.validUntil) })}{' '}
            {t('people.code.window', {
              from: formatDateTime(code.opensAt),
              to: formatDateTime(code.closesAt),
            })}
          </p>
        </div>
      )}
      {result.error && (
        <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      <p>
        <Link href={`/sessions/${encodeURIComponent(id)}/attendance`}>
          {t('people.sessions.attendance')}
        </Link>
      </p>
    </section>
  );
}
