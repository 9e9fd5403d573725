import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { graphql, type VariablesOf } from '../graphql/graphql';
import { useLocale } from '../i18n/locale';
import type { MessageKey } from '../i18n/messages';
import { QueryState } from './query-state';

const ActivitiesQuery = graphql(`
  query Activities($first: Int!, $after: String, $filter: ActivityFilter) {
    activities(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          code
          title
          status
          deliveryMode
          startsOn
          creditHours
          provider {
            id
            name
          }
        }
      }
    }
  }
`);

type Filter = NonNullable<VariablesOf<typeof ActivitiesQuery>['filter']>;
type Status = NonNullable<Filter['status']>[number];
type DeliveryMode = NonNullable<Filter['deliveryMode']>[number];
const statuses: Status[] = [
  'DRAFT',
  'SUBMITTED',
  'APPROVED',
  'REJECTED',
  'OPEN',
  'IN_PROGRESS',
  'CLOSED',
  'CREDITED',
  'ARCHIVED',
];
const deliveryModes: DeliveryMode[] = [
  'CENTRALIZED',
  'ONLINE',
  'BLENDED',
  'SCHOOL_BASED',
  'MENTORING',
  'OBSERVATION',
];
const pageSize = 25;

/** Filters live in the URL, so a filtered list is a link that can be shared and reloaded. */
export default function ActivityListScreen() {
  const { t, formatDate, formatNumber } = useLocale();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(useSearch());
  const search = params.get('q') ?? '';
  const status = (statuses as string[]).includes(params.get('status') ?? '')
    ? (params.get('status') as Status)
    : null;
  const mode = (deliveryModes as string[]).includes(params.get('mode') ?? '')
    ? (params.get('mode') as DeliveryMode)
    : null;
  const [draft, setDraft] = useState(search);
  const [after, setAfter] = useState<string | null>(null);

  // Type freely; the list follows a moment after the last keystroke.
  useEffect(() => {
    if (draft === search) return;
    const timer = setTimeout(() => update({ q: draft }), 250);
    return () => clearTimeout(timer);
  });

  function update(change: Record<string, string | null>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(change)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setAfter(null);
    const query = next.toString();
    navigate(query ? `/activities?${query}` : '/activities', { replace: true });
  }

  const filter: Filter = {
    ...(search.trim() ? { search: search.trim() } : {}),
    ...(status ? { status: [status] } : {}),
    ...(mode ? { deliveryMode: [mode] } : {}),
  };
  const [result, reexecute] = useQuery({
    query: ActivitiesQuery,
    variables: { first: pageSize, after, filter },
  });
  const connection = result.data?.activities;

  return (
    <section>
      <h1>{t('activities.title')}</h1>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          <span>{t('activities.search')}</span>
          <input
            type="search"
            name="q"
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
          />
        </label>
        <label>
          <span>{t('activities.status')}</span>
          <select
            name="status"
            value={status ?? ''}
            onChange={(event) => update({ status: event.target.value || null })}
          >
            <option value="">{t('activities.anyStatus')}</option>
            {statuses.map((value) => (
              <option key={value} value={value}>
                {t(`status.${value}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('activities.delivery')}</span>
          <select
            name="mode"
            value={mode ?? ''}
            onChange={(event) => update({ mode: event.target.value || null })}
          >
            <option value="">{t('activities.anyDelivery')}</option>
            {deliveryModes.map((value) => (
              <option key={value} value={value}>
                {t(`delivery.${value}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
      </form>
      {!connection ? (
        <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      ) : (
        <>
          <p className="count" aria-live="polite">
            {t('activities.count', { count: formatNumber(connection.totalCount) })}
          </p>
          {connection.edges.length === 0 ? (
            <p>{t('activities.empty')}</p>
          ) : (
            <table className="list">
              <thead>
                <tr>
                  <th scope="col">{t('activities.code')}</th>
                  <th scope="col">{t('activities.name')}</th>
                  <th scope="col">{t('activities.provider')}</th>
                  <th scope="col">{t('activities.starts')}</th>
                  <th scope="col" className="number">
                    {t('activities.hours')}
                  </th>
                  <th scope="col">{t('activities.status')}</th>
                </tr>
              </thead>
              <tbody>
                {connection.edges.map(({ node }) => (
                  <tr key={node.id}>
                    <td className="code">{node.code}</td>
                    <td>
                      <Link href={`/activities/${encodeURIComponent(node.id)}`}>{node.title}</Link>
                    </td>
                    <td>{node.provider.name}</td>
                    <td>{formatDate(node.startsOn)}</td>
                    <td className="number">{formatNumber(node.creditHours)}</td>
                    <td>
                      <span className={`status status-${node.status.toLowerCase()}`}>
                        {t(`status.${node.status}` as MessageKey)}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {connection.pageInfo.hasNextPage && (
            <button
              type="button"
              disabled={result.fetching}
              onClick={() => setAfter(connection.pageInfo.endCursor ?? null)}
            >
              {t('activities.more')}
            </button>
          )}
          {result.error && (
            <QueryState
              result={result}
              retry={() => reexecute({ requestPolicy: 'network-only' })}
            />
          )}
        </>
      )}
    </section>
  );
}
