import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql, type ResultOf } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { QueryState } from '../query-state';
import { FieldIssue, FormAlert, outcomeOf } from './outcome';
import './people.css';

const SchoolConfirmationsQuery = graphql(`
  query SchoolConfirmations {
    me {
      memberships {
        role
        organization {
          id
        }
      }
    }
    activities(first: 100, filter: { status: [IN_PROGRESS, CLOSED, CREDITED] }) {
      edges {
        node {
          id
          code
          title
          status
          startsOn
          endsOn
          confirmations {
            id
            level
            confirmedAt
            supersededAt
            organization {
              id
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

const AttendanceReviewQuery = graphql(`
  query AttendanceReview($id: ID!) {
    node(id: $id) {
      id
      ... on Activity {
        sessions {
          id
          sequence
          startsAt
          attendance(first: 100) {
            edges {
              node {
                id
                status
                minutes
                enrollment {
                  id
                }
              }
            }
          }
        }
        enrollments(first: 100) {
          edges {
            node {
              id
              status
              teacher {
                id
                name
              }
            }
          }
        }
      }
    }
  }
`);

const ConfirmSchoolAttendanceMutation = graphql(`
  mutation ConfirmSchoolAttendance($input: ConfirmSchoolAttendanceInput!) {
    confirmSchoolAttendance(input: $input) {
      __typename
      ... on MutationConfirmSchoolAttendanceSuccess {
        data {
          id
          confirmedAt
        }
      }
      ... on UserError {
        code
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

type Activity = ResultOf<typeof SchoolConfirmationsQuery>['activities']['edges'][number]['node'];
const inactive = new Set(['ELIGIBILITY_REJECTED', 'SUBSTITUTED', 'WITHDRAWN']);
const letters = { PRESENT: 'P', LATE: 'L', ABSENT: 'A', EXCUSED: 'E' } as const;

/**
 * Activities with this school's teachers whose attendance awaits the school's confirmation
 * (the stamp on the sign-in sheet). Confirming locks those records; corrections afterwards are
 * amendments, which supersede the confirmation and bring the activity back here.
 */
export default function SchoolAttendanceScreen() {
  const { t, formatDate, formatDateTime } = useLocale();
  const [result, reexecute] = useQuery({ query: SchoolConfirmationsQuery });
  if (!result.data) {
    return (
      <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
    );
  }
  const schoolIds = new Set(
    (result.data.me?.memberships ?? []).flatMap((m) =>
      m.role === 'SCHOOL_ADMIN' && m.organization ? [m.organization.id] : [],
    ),
  );
  const mine = (activity: Activity) =>
    activity.confirmations.filter((c) => c.level === 'SCHOOL' && schoolIds.has(c.organization.id));
  const rows = result.data.activities.edges
    .map(({ node }) => node)
    .filter((a) => a.enrollments.totalCount > 0)
    .map((activity) => {
      const links = mine(activity);
      const standing = links.find((c) => c.supersededAt === null) ?? null;
      // Credited activities come back only when an amendment superseded the school's link.
      const awaiting = !standing && (activity.status !== 'CREDITED' || links.length > 0);
      return { activity, standing, awaiting };
    })
    .filter((row) => row.awaiting || row.standing);
  const awaiting = rows.filter((row) => row.awaiting);
  const done = rows.filter((row) => !row.awaiting);
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  return (
    <section className="people">
      <h1>{t('people.schoolAttendance.title')}</h1>
      <p className="count" aria-live="polite">
        {t('people.schoolAttendance.awaiting', { count: awaiting.length })}
      </p>
      {awaiting.length === 0 && <p>{t('people.schoolAttendance.empty')}</p>}
      {awaiting.map(({ activity }) => (
        <AwaitingActivity key={activity.id} activity={activity} onConfirmed={refresh} />
      ))}
      {done.length > 0 && (
        <>
          <h2>{t('people.schoolAttendance.confirmed')}</h2>
          <table className="list">
            <thead>
              <tr>
                <th scope="col">{t('people.common.activity')}</th>
                <th scope="col">{t('people.schoolAttendance.dates')}</th>
                <th scope="col">{t('people.schoolAttendance.confirmedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {done.map(({ activity, standing }) => (
                <tr key={activity.id} data-activity={activity.id}>
                  <td>
                    <Link href={`/activities/${encodeURIComponent(activity.id)}`}>
                      {activity.title}
                    </Link>
                  </td>
                  <td>
                    {formatDate(activity.startsOn)} – {formatDate(activity.endsOn)}
                  </td>
                  <td>{standing && formatDateTime(standing.confirmedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function AwaitingActivity(props: { activity: Activity; onConfirmed(): void }) {
  const { t, formatDate } = useLocale();
  const { activity } = props;
  const [reviewing, setReviewing] = useState(false);
  const [note, setNote] = useState('');
  const [state, confirm] = useMutation(ConfirmSchoolAttendanceMutation);
  const outcome = outcomeOf(state.data?.confirmSchoolAttendance, state.error);
  const idBase = `confirm-${activity.id}`;
  const noteIssue = outcome?.fields['note'];
  const input = {
    input: { activityId: activity.id, ...(note.trim() ? { note: note.trim() } : {}) },
  };
  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await confirm(input);
    if (
      answer.data?.confirmSchoolAttendance.__typename === 'MutationConfirmSchoolAttendanceSuccess'
    ) {
      props.onConfirmed();
    }
  }
  return (
    <section className="panel" aria-labelledby={`${idBase}-title`} data-activity={activity.id}>
      <h2 id={`${idBase}-title`}>{activity.title}</h2>
      <p className="hint">
        <span className="code">{activity.code}</span> · {formatDate(activity.startsOn)} –{' '}
        {formatDate(activity.endsOn)} · {t(`status.${activity.status}`)} ·{' '}
        {t('people.schoolAttendance.teachers', { count: activity.enrollments.totalCount })}
      </p>
      <button
        type="button"
        className="secondary"
        aria-expanded={reviewing}
        onClick={() => setReviewing(!reviewing)}
      >
        {reviewing ? t('people.schoolAttendance.hide') : t('people.schoolAttendance.review')}
      </button>
      {reviewing && <AttendanceReview activityId={activity.id} />}
      <form onSubmit={submit} noValidate className="confirm-form">
        <label htmlFor={`${idBase}-note`}>{t('people.schoolAttendance.note')}</label>
        <textarea
          id={`${idBase}-note`}
          rows={2}
          value={note}
          onChange={(event) => setNote(event.target.value)}
          aria-invalid={noteIssue ? true : undefined}
          aria-describedby={noteIssue ? `${idBase}-note-issue` : undefined}
        />
        <FieldIssue id={`${idBase}-note-issue`} message={noteIssue} />
        <div className="actions">
          <button type="submit" disabled={state.fetching}>
            {t('people.schoolAttendance.confirm')}
          </button>
        </div>
        <FormAlert outcome={outcome} error={state.error} retry={() => void confirm(input)} />
      </form>
    </section>
  );
}

/** Who attended which session, as recorded: what the school is about to vouch for. */
function AttendanceReview(props: { activityId: string }) {
  const { t, formatDateTime, formatNumber } = useLocale();
  const [result, reexecute] = useQuery({
    query: AttendanceReviewQuery,
    variables: { id: props.activityId },
  });
  const node = result.data?.node;
  const activity = node && 'sessions' in node ? node : null;
  if (!activity) {
    return result.data ? (
      <p>—</p>
    ) : (
      <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
    );
  }
  const byKey = new Map(
    activity.sessions.flatMap((session) =>
      session.attendance.edges.flatMap(({ node: record }) =>
        record.enrollment ? [[`${session.id}:${record.enrollment.id}`, record] as const] : [],
      ),
    ),
  );
  const participants = activity.enrollments.edges
    .map(({ node: e }) => e)
    .filter((e) => !inactive.has(e.status));
  return (
    <div className="scroll">
      <table className="list review">
        <caption className="hint">{t('people.schoolAttendance.legend')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('people.grid.teacher')}</th>
            {activity.sessions.map((session) => (
              <th scope="col" key={session.id}>
                {t('activity.session', { n: session.sequence })}
                <div className="hint">{formatDateTime(session.startsAt)}</div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {participants.map((enrollment) => (
            <tr key={enrollment.id}>
              <th scope="row">{enrollment.teacher?.name ?? '—'}</th>
              {activity.sessions.map((session) => {
                const record = byKey.get(`${session.id}:${enrollment.id}`);
                return (
                  <td key={session.id}>
                    {record ? (
                      <abbr title={t(`people.attendance.${record.status}`)}>
                        {letters[record.status]} {formatNumber(record.minutes)}′
                      </abbr>
                    ) : (
                      '—'
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
