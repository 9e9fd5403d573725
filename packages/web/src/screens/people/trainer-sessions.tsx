import { useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { QueryState } from '../query-state';
import { localDay } from './outcome';
import './people.css';

/**
 * Sessions run while their activity is open or in progress. A trainer sees only the sessions
 * they teach (the gateway's visibility), so filtering by day here leaves their timetable.
 */
export const RunningActivitiesQuery = graphql(`
  query RunningActivities($startsTo: Date) {
    activities(first: 100, filter: { status: [OPEN, IN_PROGRESS], startsTo: $startsTo }) {
      edges {
        node {
          id
          code
          title
          status
          sessions {
            id
            sequence
            title
            startsAt
            endsAt
            mode
            location
            hours
          }
        }
      }
    }
  }
`);

const upcomingDays = 7;

export default function TrainerSessionsScreen() {
  const { t, formatDate, formatDateTime, formatNumber } = useLocale();
  const today = localDay(new Date());
  const horizon = localDay(new Date(Date.now() + upcomingDays * 86_400_000));
  const [result, reexecute] = useQuery({
    query: RunningActivitiesQuery,
    variables: { startsTo: horizon },
  });
  if (!result.data) {
    return (
      <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
    );
  }
  const sessions = result.data.activities.edges
    .flatMap(({ node: activity }) => activity.sessions.map((session) => ({ session, activity })))
    .sort((a, b) => a.session.startsAt.localeCompare(b.session.startsAt));
  const todays = sessions.filter(({ session }) => localDay(new Date(session.startsAt)) === today);
  const upcoming = sessions.filter(({ session }) => {
    const day = localDay(new Date(session.startsAt));
    return day > today && day <= horizon;
  });

  const table = (rows: typeof sessions, caption: string) => (
    <table className="list">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('people.sessions.time')}</th>
          <th scope="col">{t('people.common.activity')}</th>
          <th scope="col">{t('people.sessions.session')}</th>
          <th scope="col">{t('activity.location')}</th>
          <th scope="col" className="number">
            {t('people.common.hours')}
          </th>
          <th scope="col">{t('people.sessions.actions')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ session, activity }) => (
          <tr key={session.id}>
            <td>
              {formatDateTime(session.startsAt)} – {formatDateTime(session.endsAt)}
            </td>
            <td>
              <Link href={`/activities/${encodeURIComponent(activity.id)}`}>{activity.title}</Link>
            </td>
            <td>
              {t('activity.session', { n: session.sequence })}: {session.title}
            </td>
            <td>{session.mode === 'ONLINE' ? t('activity.online') : session.location}</td>
            <td className="number">{formatNumber(session.hours)}</td>
            <td>
              <div className="links">
                <Link
                  href={`/sessions/${encodeURIComponent(session.id)}/checkin`}
                  aria-label={t('people.sessions.showCodeFor', { title: session.title })}
                >
                  {t('people.sessions.showCode')}
                </Link>
                <Link
                  href={`/sessions/${encodeURIComponent(session.id)}/attendance?activity=${encodeURIComponent(activity.id)}`}
                  aria-label={t('people.sessions.attendanceFor', { title: session.title })}
                >
                  {t('people.sessions.attendance')}
                </Link>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );

  return (
    <section className="people">
      <h1>{t('people.sessions.title')}</h1>
      <p className="hint">{formatDate(today)}</p>
      {todays.length === 0 ? (
        <p>{t('people.sessions.noneToday')}</p>
      ) : (
        table(todays, t('people.sessions.title'))
      )}
      <h2>{t('people.sessions.upcoming', { days: upcomingDays })}</h2>
      {upcoming.length === 0 ? (
        <p>{t('people.sessions.noneUpcoming')}</p>
      ) : (
        table(upcoming, t('people.sessions.upcoming', { days: upcomingDays }))
      )}
    </section>
  );
}
