import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql, type ResultOf } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { QueryState } from '../query-state';
import { FieldIssue, FormAlert, outcomeOf } from './outcome';
import './people.css';

const MyActivitiesQuery = graphql(`
  query MyActivities {
    me {
      teacher {
        id
        enrollments(first: 100) {
          edges {
            node {
              id
              status
              evaluation {
                rating
                comment
                ratedAt
              }
              activity {
                id
                code
                title
                status
                startsOn
                endsOn
                sessions {
                  id
                  sequence
                  title
                  startsAt
                  endsAt
                  mode
                  location
                }
              }
            }
          }
        }
      }
    }
  }
`);

const CheckInMutation = graphql(`
  mutation CheckIn($input: CheckInInput!) {
    checkIn(input: $input) {
      __typename
      ... on MutationCheckInSuccess {
        data {
          id
          status
          minutes
          recordedAt
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

const RateActivityMutation = graphql(`
  mutation RateActivity($input: RateActivityInput!) {
    rateActivity(input: $input) {
      __typename
      ... on MutationRateActivitySuccess {
        data {
          rating
          comment
          ratedAt
          enrollment {
            id
            evaluation {
              rating
              comment
              ratedAt
            }
          }
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

type Enrollment = NonNullable<
  NonNullable<ResultOf<typeof MyActivitiesQuery>['me']>['teacher']
>['enrollments']['edges'][number]['node'];
type Session = NonNullable<Enrollment['activity']>['sessions'][number];

/** Check-in is accepted from 15 minutes before a session starts to 15 minutes after it ends. */
const graceMs = 15 * 60_000;
const participating = new Set([
  'REGISTERED',
  'ELIGIBILITY_CONFIRMED',
  'COMPLETED',
  'NOT_COMPLETED',
]);
const finished = new Set(['CLOSED', 'CREDITED', 'ARCHIVED']);

/**
 * The signed-in teacher's activities: check in to a session that is on now with the code on
 * the trainer's screen, and rate an activity once it has finished (once per enrollment).
 */
export default function MyActivitiesScreen() {
  const { t, formatDate, formatDateTime } = useLocale();
  const [result, reexecute] = useQuery({ query: MyActivitiesQuery });
  if (!result.data) {
    return (
      <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
    );
  }
  const enrollments = result.data.me?.teacher?.enrollments.edges.map((e) => e.node) ?? [];
  const now = Date.now();
  const openNow = enrollments.flatMap((enrollment) =>
    participating.has(enrollment.status) && enrollment.activity
      ? enrollment.activity.sessions
          .filter(
            (s) => Date.parse(s.startsAt) - graceMs <= now && now <= Date.parse(s.endsAt) + graceMs,
          )
          .map((session) => ({ session, title: enrollment.activity!.title }))
      : [],
  );
  return (
    <section className="people">
      <h1>{t('people.mine.title')}</h1>
      <h2>{t('people.checkin.title')}</h2>
      {openNow.length === 0 ? (
        <p>{t('people.checkin.none')}</p>
      ) : (
        <ul className="plain-list">
          {openNow.map(({ session, title }) => (
            <li key={session.id} className="panel">
              <CheckInForm session={session} activityTitle={title} />
            </li>
          ))}
        </ul>
      )}
      <h2>{t('people.mine.enrollments')}</h2>
      {enrollments.length === 0 ? (
        <p>{t('people.mine.empty')}</p>
      ) : (
        <ul className="plain-list">
          {enrollments.map((enrollment) => (
            <li key={enrollment.id} className="panel" data-enrollment={enrollment.id}>
              <h3>{enrollment.activity?.title ?? '—'}</h3>
              {enrollment.activity && (
                <p className="hint">
                  {formatDate(enrollment.activity.startsOn)} –{' '}
                  {formatDate(enrollment.activity.endsOn)} ·{' '}
                  {t(`status.${enrollment.activity.status}`)} ·{' '}
                  {t(`people.enrollment.${enrollment.status}`)}
                </p>
              )}
              {enrollment.evaluation ? (
                <p>
                  {t('people.rate.given', {
                    rating: enrollment.evaluation.rating,
                    date: formatDateTime(enrollment.evaluation.ratedAt),
                  })}
                  {enrollment.evaluation.comment && <> — {enrollment.evaluation.comment}</>}
                </p>
              ) : enrollment.activity &&
                finished.has(enrollment.activity.status) &&
                participating.has(enrollment.status) ? (
                <RateForm enrollment={enrollment} />
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CheckInForm(props: { session: Session; activityTitle: string }) {
  const { t, formatDateTime } = useLocale();
  const { session } = props;
  const [code, setCode] = useState('');
  const [state, checkIn] = useMutation(CheckInMutation);
  const input = { sessionId: session.id, code };
  const answer = state.data?.checkIn;
  const outcome = outcomeOf(answer, state.error);
  const done = answer?.__typename === 'MutationCheckInSuccess' ? answer.data : null;
  const idBase = `checkin-${session.id}`;
  const codeIssue = outcome?.fields['code'];
  function submit(event: FormEvent) {
    event.preventDefault();
    void checkIn({ input });
  }
  return (
    <form onSubmit={submit} noValidate aria-labelledby={`${idBase}-title`}>
      <h3 id={`${idBase}-title`}>
        {props.activityTitle} · {t('activity.session', { n: session.sequence })}: {session.title}
      </h3>
      <p className="hint">
        {formatDateTime(session.startsAt)} – {formatDateTime(session.endsAt)}
      </p>
      {done ? (
        <p role="status" className="success">
          {t('people.checkin.done', { status: t(`people.attendance.${done.status}`) })}
        </p>
      ) : (
        <div className="inline-form">
          <label htmlFor={`${idBase}-code`}>{t('people.checkin.code')}</label>
          <input
            id={`${idBase}-code`}
            name="code"
            autoComplete="one-time-code"
            spellCheck={false}
            value={code}
            onChange={(event) => setCode(event.target.value)}
            aria-invalid={codeIssue ? true : undefined}
            aria-describedby={codeIssue ? `${idBase}-code-issue` : undefined}
          />
          <button type="submit" disabled={state.fetching}>
            {t('people.checkin.submit')}
          </button>
          <FieldIssue id={`${idBase}-code-issue`} message={codeIssue} />
        </div>
      )}
      <FormAlert outcome={outcome} error={state.error} retry={() => void checkIn({ input })} />
    </form>
  );
}

function RateForm(props: { enrollment: Enrollment }) {
  const { t } = useLocale();
  const [rating, setRating] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [state, rate] = useMutation(RateActivityMutation);
  const outcome = outcomeOf(state.data?.rateActivity, state.error);
  const idBase = `rate-${props.enrollment.id}`;
  const input = {
    enrollmentId: props.enrollment.id,
    rating: rating ?? 0,
    ...(comment.trim() ? { comment: comment.trim() } : {}),
  };
  function submit(event: FormEvent) {
    event.preventDefault();
    void rate({ input });
  }
  const ratingIssue = outcome?.fields['rating'];
  const commentIssue = outcome?.fields['comment'];
  return (
    <form onSubmit={submit} noValidate className="rate-form">
      <fieldset aria-describedby={ratingIssue ? `${idBase}-rating-issue` : undefined}>
        <legend>{t('people.rate.legend')}</legend>
        {[1, 2, 3, 4, 5].map((value) => (
          <label key={value} className="choice">
            <input
              type="radio"
              name={`${idBase}-rating`}
              value={value}
              checked={rating === value}
              onChange={() => setRating(value)}
            />
            {t('people.rate.value', { value })}
          </label>
        ))}
        <FieldIssue id={`${idBase}-rating-issue`} message={ratingIssue} />
      </fieldset>
      <label htmlFor={`${idBase}-comment`}>{t('people.rate.comment')}</label>
      <textarea
        id={`${idBase}-comment`}
        rows={2}
        value={comment}
        onChange={(event) => setComment(event.target.value)}
        aria-invalid={commentIssue ? true : undefined}
        aria-describedby={commentIssue ? `${idBase}-comment-issue` : undefined}
      />
      <FieldIssue id={`${idBase}-comment-issue`} message={commentIssue} />
      <div>
        <button type="submit" disabled={state.fetching || rating === null}>
          {t('people.rate.submit')}
        </button>
      </div>
      <FormAlert outcome={outcome} error={state.error} retry={() => void rate({ input })} />
    </form>
  );
}
