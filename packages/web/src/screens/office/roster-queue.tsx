import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql, type ResultOf } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { Notice, userErrorMessage } from '../institution/form';
import { QueryState } from '../query-state';
import '../institution/institution.css';
import './office.css';

const ClosedRostersQuery = graphql(`
  query ClosedRosters {
    activities(first: 50, filter: { status: [CLOSED] }) {
      edges {
        node {
          id
          code
          title
          status
          endsOn
          provider {
            id
            name
          }
          confirmations {
            id
            level
            confirmedAt
            supersededAt
            organization {
              id
              name
            }
          }
          enrollments(first: 0) {
            totalCount
          }
        }
      }
    }
  }
`);

const ConfirmRosterMutation = graphql(`
  mutation ConfirmRoster($input: ConfirmRosterInput!) {
    confirmRoster(input: $input) {
      __typename
      ... on MutationConfirmRosterSuccess {
        data {
          activity {
            id
            status
            version
          }
          crediting {
            awardsWritten
            awardsAlreadyPresent
            completed
            notCompleted
            hoursWritten
            unconfirmed
          }
        }
      }
      ... on UserError {
        message
      }
      ... on ValidationError {
        issues {
          path
          message
        }
      }
    }
  }
`);

type Closed = ResultOf<typeof ClosedRostersQuery>['activities']['edges'][number]['node'];

/**
 * Closed activities waiting for the office: the schools' confirmations so far, and one step
 * that confirms the roster and credits it. The API refuses (and says why) while a school with
 * participants has not confirmed; the list orders the activities most confirmed first.
 */
export default function RosterQueueScreen() {
  const { t } = useLocale();
  const [result, reexecute] = useQuery({ query: ClosedRostersQuery });
  const [outcomes, setOutcomes] = useState<{ ok: boolean; text: string }[]>([]);
  const refetch = () => reexecute({ requestPolicy: 'network-only' });
  if (!result.data) return <QueryState result={result} retry={refetch} />;
  const schoolsOf = (activity: Closed) =>
    activity.confirmations.filter((c) => c.level === 'SCHOOL' && !c.supersededAt);
  const queue = result.data.activities.edges
    .map((edge) => edge.node)
    .filter(
      (node) =>
        node.status === 'CLOSED' &&
        !node.confirmations.some((c) => c.level === 'OFFICE' && !c.supersededAt),
    )
    .sort((a, b) => schoolsOf(b).length - schoolsOf(a).length);

  return (
    <section className="rosters">
      <h1>{t('office.rosters.title')}</h1>
      <p className="hint">{t('office.rosters.help')}</p>
      <div aria-live="polite">
        {outcomes.map((outcome, index) => (
          <Notice key={index} tone={outcome.ok ? 'ok' : 'error'}>
            {outcome.text}
          </Notice>
        ))}
      </div>
      {queue.length === 0 ? (
        <p>{t('office.rosters.empty')}</p>
      ) : (
        <ul className="roster-queue">
          {queue.map((activity) => (
            <RosterToConfirm
              key={activity.id}
              activity={activity}
              schools={schoolsOf(activity)}
              onOutcome={(outcome) => setOutcomes((list) => [outcome, ...list].slice(0, 5))}
            />
          ))}
        </ul>
      )}
      {result.error && <QueryState result={result} retry={refetch} />}
    </section>
  );
}

function RosterToConfirm(props: {
  activity: Closed;
  schools: Closed['confirmations'];
  onOutcome(outcome: { ok: boolean; text: string }): void;
}) {
  const { t, formatDate, formatNumber } = useLocale();
  const { activity } = props;
  const [note, setNote] = useState('');
  const [confirmation, confirm] = useMutation(ConfirmRosterMutation);
  const noteId = `note-${activity.id}`;

  async function run() {
    const answer = await confirm({
      input: { activityId: activity.id, ...(note.trim() ? { note: note.trim() } : {}) },
    });
    const payload = answer.data?.confirmRoster;
    if (!payload) {
      props.onOutcome({ ok: false, text: t('common.networkError') });
      return;
    }
    if (payload.__typename === 'MutationConfirmRosterSuccess') {
      const c = payload.data.crediting;
      props.onOutcome({
        ok: true,
        text: t('office.rosters.done', {
          title: activity.title,
          awards: formatNumber(c.awardsWritten),
          hours: formatNumber(c.hoursWritten),
          completed: formatNumber(c.completed),
          notCompleted: formatNumber(c.notCompleted),
        }),
      });
      return;
    }
    const issues = payload.__typename === 'ValidationError' ? payload.issues : [];
    props.onOutcome({
      ok: false,
      text: [`${activity.title}:`, userErrorMessage(payload), ...issues.map((i) => i.message)]
        .filter(Boolean)
        .join(' '),
    });
  }

  return (
    <li className="panel">
      <h2>
        <Link href={`/activities/${encodeURIComponent(activity.id)}`}>{activity.title}</Link>{' '}
        <span className="code">{activity.code}</span>
      </h2>
      <p>
        {activity.provider.name} · {formatDate(activity.endsOn)} ·{' '}
        {t('office.rosters.participants', {
          count: formatNumber(activity.enrollments.totalCount),
        })}
      </p>
      <p>{t('office.rosters.schools', { count: formatNumber(props.schools.length) })}</p>
      {props.schools.length === 0 ? (
        <p className="hint">{t('office.rosters.noSchool')}</p>
      ) : (
        <ul>
          {props.schools.map((c) => (
            <li key={c.id}>
              {c.organization.name} · {formatDate(c.confirmedAt.slice(0, 10))}
            </li>
          ))}
        </ul>
      )}
      <div className="confirm-row">
        <label htmlFor={noteId}>{t('office.rosters.note')}</label>
        <input id={noteId} value={note} onChange={(event) => setNote(event.target.value)} />
        <button type="button" disabled={confirmation.fetching} onClick={() => void run()}>
          {confirmation.fetching ? t('office.rosters.confirming') : t('office.rosters.confirm')}
          <span className="visually-hidden"> {activity.title}</span>
        </button>
        {confirmation.fetching && (
          <progress aria-label={t('office.rosters.confirming')} className="busy-indicator" />
        )}
      </div>
    </li>
  );
}
