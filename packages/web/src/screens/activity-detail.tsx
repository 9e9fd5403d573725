import { useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../graphql/graphql';
import { useLocale } from '../i18n/locale';
import type { MessageKey } from '../i18n/messages';
import { ActivityManageLinks } from './institution/activity-links';
import { QueryState } from './query-state';
import { ActivityFacts } from './activity-facts';

const ActivityQuery = graphql(`
  query Activity($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Activity {
        code
        title
        description
        status
        level
        deliveryMode
        startsOn
        endsOn
        creditHours
        capacity
        selfEnrollment
        rejectionReason
        version
        category {
          code
          nameEn
          nameZh
        }
        provider {
          id
          name
        }
        region {
          id
          name
        }
        sessions {
          id
          sequence
          title
          startsAt
          endsAt
          hours
          mode
          location
          trainers {
            id
            name
            title
          }
        }
      }
    }
  }
`);

export default function ActivityDetailScreen(props: { id: string }) {
  const { t, formatDateTime, formatNumber } = useLocale();
  const id = props.id;
  const [result, reexecute] = useQuery({ query: ActivityQuery, variables: { id } });
  if (!result.data)
    return (
      <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
    );
  const activity = result.data.node?.__typename === 'Activity' ? result.data.node : null;
  if (!activity) {
    return (
      <section>
        <Link href="/activities">← {t('activity.back')}</Link>
        <p role="alert">{t('activity.notFound')}</p>
      </section>
    );
  }
  return (
    <article>
      <Link href="/activities">← {t('activity.back')}</Link>
      <h1>
        {activity.title} <span className="code">{activity.code}</span>
      </h1>
      <p>
        <span className={`status status-${activity.status.toLowerCase()}`}>
          {t(`status.${activity.status}` as MessageKey)}
        </span>
      </p>
      <ActivityManageLinks activityId={activity.id} providerId={activity.provider.id} />
      {activity.rejectionReason && <p className="alert">{activity.rejectionReason}</p>}
      <p>{activity.description}</p>
      <h2>{t('activity.details')}</h2>
      <dl className="facts">
        <ActivityFacts activity={activity} />
        <dt>{t('activity.capacity')}</dt>
        <dd>
          {activity.capacity == null ? t('activity.noLimit') : formatNumber(activity.capacity)}
        </dd>
        <dt>{t('activity.selfEnrollment')}</dt>
        <dd>{activity.selfEnrollment ? t('activity.yes') : t('activity.no')}</dd>
      </dl>
      <h2>{t('activity.sessions')}</h2>
      {activity.sessions.length === 0 ? (
        <p>{t('activity.noSessions')}</p>
      ) : (
        <ol className="sessions">
          {activity.sessions.map((session) => (
            <li key={session.id}>
              <h3>
                {t('activity.session', { n: session.sequence })}: {session.title}
              </h3>
              <p>
                {formatDateTime(session.startsAt)} – {formatDateTime(session.endsAt)} ·{' '}
                {formatNumber(session.hours)} h ·{' '}
                {session.mode === 'ONLINE' ? t('activity.online') : session.location}
              </p>
              {session.trainers.length > 0 && (
                <p>
                  {t('activity.trainers')}:{' '}
                  {session.trainers
                    .map((trainer) =>
                      trainer.title ? `${trainer.name} (${trainer.title})` : trainer.name,
                    )
                    .join(', ')}
                </p>
              )}
            </li>
          ))}
        </ol>
      )}
    </article>
  );
}
