import { useState } from 'react';
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import type { MessageKey } from '../../i18n/messages';
import { QueryState } from '../query-state';
import { AttendanceImport } from './attendance-import';
import { EnrollTeachers } from './enroll-teachers';
import { LifecycleActions } from './lifecycle-actions';
import './institution.css';

/** The API's largest page; rosters beyond it show a note (the counts cover the first page). */
const pageSize = 100;

const RosterQuery = graphql(`
  query ActivityRoster($id: ID!, $first: Int!, $after: String) {
    node(id: $id) {
      __typename
      id
      ... on Activity {
        code
        title
        status
        version
        creditHours
        sessions {
          id
          sequence
          title
          startsAt
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
        enrollments(first: $first, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              status
              enrolledAt
              rejectionReason
              school {
                id
                name
              }
              teacher {
                id
                name
                nationalId
              }
            }
          }
        }
      }
    }
  }
`);

const enrollmentStatuses = [
  'REGISTERED',
  'ELIGIBILITY_CONFIRMED',
  'ELIGIBILITY_REJECTED',
  'SUBSTITUTED',
  'COMPLETED',
  'NOT_COMPLETED',
  'WITHDRAWN',
] as const;

/**
 * The roster of one activity: who is enrolled and where they stand, enrolling teachers while
 * it is open, the per-session attendance links, the CSV attendance import, and closing the
 * activity with the outcome of crediting.
 * Route '/institution/activities/:id/roster'.
 */
export default function ActivityRosterScreen(props: {
  params: Record<string, string | undefined>;
}) {
  const { t, formatDate, formatDateTime, formatNumber } = useLocale();
  const id = props.params.id ?? '';
  const [statusFilter, setStatusFilter] = useState('');
  const [result, reexecute] = useQuery({
    query: RosterQuery,
    variables: { id, first: pageSize },
  });
  const refetch = () => reexecute({ requestPolicy: 'network-only' });
  if (!result.data) return <QueryState result={result} retry={refetch} />;
  const activity = result.data.node?.__typename === 'Activity' ? result.data.node : null;
  if (!activity) return <p role="alert">{t('activity.notFound')}</p>;

  const enrollments = activity.enrollments.edges.map((edge) => edge.node);
  const shown = statusFilter ? enrollments.filter((e) => e.status === statusFilter) : enrollments;
  const counts = new Map<string, number>();
  for (const enrollment of enrollments)
    counts.set(enrollment.status, (counts.get(enrollment.status) ?? 0) + 1);
  const live = activity.confirmations.filter((c) => !c.supersededAt);
  const schoolConfirmations = live.filter((c) => c.level === 'SCHOOL');
  const officeConfirmation = live.find((c) => c.level === 'OFFICE');
  const completed = counts.get('COMPLETED') ?? 0;
  const notCompleted = counts.get('NOT_COMPLETED') ?? 0;
  const participants = enrollments.filter(
    (e) => !['ELIGIBILITY_REJECTED', 'SUBSTITUTED', 'WITHDRAWN'].includes(e.status),
  ).length;
  const decided = completed + notCompleted;
  const finished = ['CLOSED', 'CREDITED', 'ARCHIVED'].includes(activity.status);
  const canImport = activity.status === 'OPEN' || activity.status === 'IN_PROGRESS';

  return (
    <section className="roster">
      <Link href={`/activities/${encodeURIComponent(activity.id)}`}>← {t('inst.link.detail')}</Link>
      <h1>
        {t('inst.roster.title')}: {activity.title} <span className="code">{activity.code}</span>
      </h1>
      <nav className="sub-nav" aria-label={activity.title}>
        <Link href={`/institution/activities/${encodeURIComponent(activity.id)}/edit`}>
          {t('inst.link.edit')}
        </Link>
        {activity.sessions.map((session) => (
          <Link
            key={session.id}
            href={`/sessions/${encodeURIComponent(session.id)}/attendance`}
            title={`${session.title} · ${formatDateTime(session.startsAt)}`}
          >
            {t('inst.session.attendance', { n: session.sequence })}
          </Link>
        ))}
      </nav>

      <LifecycleActions activity={activity} onDone={refetch} />

      <h2>{t('inst.roster.title')}</h2>
      <div className="filters">
        <label>
          <span>{t('inst.roster.filter')}</span>
          <select value={statusFilter} onChange={(event) => setStatusFilter(event.target.value)}>
            <option value="">{t('inst.roster.allStatuses')}</option>
            {enrollmentStatuses.map((status) => (
              <option key={status} value={status}>
                {t(`enrollment.${status}` as MessageKey)} ({formatNumber(counts.get(status) ?? 0)})
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="count" aria-live="polite">
        {t('inst.roster.count', { count: formatNumber(activity.enrollments.totalCount) })}
      </p>
      {shown.length === 0 ? (
        <p>{t('inst.roster.empty')}</p>
      ) : (
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('inst.roster.teacher')}</th>
              <th scope="col">{t('inst.roster.nationalId')}</th>
              <th scope="col">{t('inst.roster.school')}</th>
              <th scope="col">{t('inst.roster.enrolledAt')}</th>
              <th scope="col">{t('inst.roster.status')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((enrollment) => (
              <tr key={enrollment.id}>
                <td>{enrollment.teacher?.name ?? '—'}</td>
                <td className="code">{enrollment.teacher?.nationalId ?? '—'}</td>
                <td>{enrollment.school.name}</td>
                <td>{formatDate(enrollment.enrolledAt.slice(0, 10))}</td>
                <td>
                  <span className={`status enrollment-${enrollment.status.toLowerCase()}`}>
                    {t(`enrollment.${enrollment.status}` as MessageKey)}
                  </span>
                  {enrollment.rejectionReason && (
                    <span className="hint"> — {enrollment.rejectionReason}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {activity.enrollments.pageInfo.hasNextPage && (
        <p className="hint">
          {t('inst.roster.truncated', {
            shown: formatNumber(enrollments.length),
            count: formatNumber(activity.enrollments.totalCount),
          })}
        </p>
      )}
      {result.error && <QueryState result={result} retry={refetch} />}

      {activity.status === 'OPEN' && (
        <EnrollTeachers activityId={activity.id} onEnrolled={refetch} />
      )}
      {canImport && <AttendanceImport activityId={activity.id} onCommitted={refetch} />}

      {finished && (
        <section aria-labelledby="close-heading" className="panel">
          <h2 id="close-heading">{t('inst.close.title')}</h2>
          <p>{t('inst.close.schools', { count: formatNumber(schoolConfirmations.length) })}</p>
          {schoolConfirmations.length > 0 && (
            <ul>
              {schoolConfirmations.map((c) => (
                <li key={c.id}>
                  {c.organization.name} · {formatDateTime(c.confirmedAt)}
                </li>
              ))}
            </ul>
          )}
          <p>
            {t('inst.close.office')}:{' '}
            {officeConfirmation
              ? t('inst.close.officeConfirmed', {
                  date: formatDateTime(officeConfirmation.confirmedAt),
                })
              : t('inst.close.officePending')}
          </p>
          <label className="progress-label">
            <span>
              {t('inst.close.progressLabel')}: {formatNumber(decided)} /{' '}
              {formatNumber(participants)}
            </span>
            <progress max={Math.max(participants, 1)} value={decided} />
          </label>
          <h3>{t('inst.close.summary')}</h3>
          <dl className="facts">
            <dt>{t('inst.close.completed')}</dt>
            <dd>{formatNumber(completed)}</dd>
            <dt>{t('inst.close.notCompleted')}</dt>
            <dd>{formatNumber(notCompleted)}</dd>
            <dt>{t('inst.close.undecided')}</dt>
            <dd>{formatNumber(Math.max(participants - decided, 0))}</dd>
            <dt>{t('inst.close.hoursAwarded')}</dt>
            <dd>{formatNumber(completed * activity.creditHours)}</dd>
          </dl>
        </section>
      )}
    </section>
  );
}
