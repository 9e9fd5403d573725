import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql, type ResultOf } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { QueryState } from '../query-state';
import { FieldIssue, FormAlert, outcomeOf } from './outcome';
import './people.css';

/** A school administrator sees only its own teachers' enrollments on each roster. */
const EligibilityQueueQuery = graphql(`
  query EligibilityQueue {
    activities(first: 50, filter: { status: [OPEN, IN_PROGRESS] }) {
      edges {
        node {
          id
          code
          title
          status
          startsOn
          endsOn
          enrollments(first: 50) {
            edges {
              node {
                id
                status
                enrolledAt
                decidedAt
                rejectionReason
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
  }
`);

const EligibilityQuery = graphql(`
  query Eligibility($activityId: ID!, $teacherId: ID!) {
    eligibility(activityId: $activityId, teacherId: $teacherId) {
      eligible
      reasons {
        code
        message
      }
    }
  }
`);

const SchoolTeachersQuery = graphql(`
  query SchoolTeacherChoices {
    teachers(first: 100) {
      edges {
        node {
          id
          name
          nationalId
        }
      }
    }
  }
`);

const DecideEligibilityMutation = graphql(`
  mutation DecideEligibility($input: DecideEligibilityInput!) {
    decideEligibility(input: $input) {
      __typename
      ... on MutationDecideEligibilitySuccess {
        data {
          enrollments {
            id
            status
            decidedAt
            rejectionReason
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

const SubstituteMutation = graphql(`
  mutation SubstituteParticipant($input: SubstituteParticipantInput!) {
    substituteParticipant(input: $input) {
      __typename
      ... on MutationSubstituteParticipantSuccess {
        data {
          id
          status
          substitutes {
            id
            status
          }
          teacher {
            id
            name
          }
        }
      }
      ... on UserError {
        code
        message
      }
      ... on NotEligibleError {
        reasons {
          code
          message
        }
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

type Activity = ResultOf<typeof EligibilityQueueQuery>['activities']['edges'][number]['node'];
type Enrollment = Activity['enrollments']['edges'][number]['node'];

/**
 * The school's queue: participants awaiting its word on their eligibility, each with what the
 * eligibility engine says about them, and rejected participants who can still be replaced by a
 * colleague. Rows decided here stay on screen with their new state until the page is left.
 */
export default function SchoolEligibilityScreen() {
  const { t, formatDate } = useLocale();
  const [result, reexecute] = useQuery({ query: EligibilityQueueQuery });
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  if (!result.data) {
    return (
      <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
    );
  }
  const touch = (id: string) => {
    setTouched((current) => new Set([...current, id]));
    // The button pressed goes away with the decision: keep focus on the row's new state
    // instead of dropping it to the top of the page.
    requestAnimationFrame(() =>
      document.querySelector<HTMLElement>(`tr[data-enrollment="${id}"] .status`)?.focus(),
    );
  };
  const shown = (e: Enrollment) =>
    e.status === 'REGISTERED' || e.status === 'ELIGIBILITY_REJECTED' || touched.has(e.id);
  const activities = result.data.activities.edges
    .map(({ node }) => node)
    .filter((activity) => activity.enrollments.edges.some(({ node }) => shown(node)));
  const pending = activities.reduce(
    (sum, a) => sum + a.enrollments.edges.filter(({ node }) => node.status === 'REGISTERED').length,
    0,
  );
  return (
    <section className="people">
      <h1>{t('people.eligibility.title')}</h1>
      <p className="count" aria-live="polite">
        {t('people.eligibility.pending', { count: pending })}
      </p>
      {activities.length === 0 && <p>{t('people.eligibility.empty')}</p>}
      {activities.map((activity) => (
        <section key={activity.id} className="panel" aria-labelledby={`activity-${activity.id}`}>
          <h2 id={`activity-${activity.id}`}>
            <Link href={`/activities/${encodeURIComponent(activity.id)}`}>{activity.title}</Link>
          </h2>
          <p className="hint">
            <span className="code">{activity.code}</span> · {formatDate(activity.startsOn)} –{' '}
            {formatDate(activity.endsOn)} · {t(`status.${activity.status}`)}
          </p>
          <table className="list">
            <thead>
              <tr>
                <th scope="col">{t('people.grid.teacher')}</th>
                <th scope="col">{t('people.eligibility.status')}</th>
                <th scope="col">{t('people.eligibility.engine')}</th>
                <th scope="col">{t('people.eligibility.decision')}</th>
              </tr>
            </thead>
            <tbody>
              {activity.enrollments.edges
                .map(({ node }) => node)
                .filter(shown)
                .map((enrollment) => (
                  <ParticipantRow
                    key={enrollment.id}
                    activity={activity}
                    enrollment={enrollment}
                    onDecided={touch}
                    onSubstituted={(id) => {
                      touch(id);
                      reexecute({ requestPolicy: 'network-only' });
                    }}
                  />
                ))}
            </tbody>
          </table>
        </section>
      ))}
    </section>
  );
}

function ParticipantRow(props: {
  activity: Activity;
  enrollment: Enrollment;
  onDecided(id: string): void;
  onSubstituted(id: string): void;
}) {
  const { t } = useLocale();
  const { activity, enrollment } = props;
  const name = enrollment.teacher?.name ?? '—';
  return (
    <tr data-enrollment={enrollment.id} data-status={enrollment.status}>
      <th scope="row">
        {name}
        <div className="code">{enrollment.teacher?.nationalId}</div>
      </th>
      <td>
        <span
          className={`status status-enrollment-${enrollment.status.toLowerCase()}`}
          tabIndex={-1}
        >
          {t(`people.enrollment.${enrollment.status}`)}
        </span>
        {enrollment.rejectionReason && <div className="hint">{enrollment.rejectionReason}</div>}
      </td>
      <td>
        {enrollment.status === 'REGISTERED' && enrollment.teacher ? (
          <EngineReasons activityId={activity.id} teacherId={enrollment.teacher.id} />
        ) : (
          '—'
        )}
      </td>
      <td>
        {enrollment.status === 'REGISTERED' ? (
          <DecisionForm enrollment={enrollment} name={name} onDecided={props.onDecided} />
        ) : enrollment.status === 'ELIGIBILITY_REJECTED' ? (
          <SubstituteForm enrollment={enrollment} name={name} onSubstituted={props.onSubstituted} />
        ) : null}
      </td>
    </tr>
  );
}

function EngineReasons(props: { activityId: string; teacherId: string }) {
  const { t } = useLocale();
  const [result, reexecute] = useQuery({ query: EligibilityQuery, variables: props });
  const answer = result.data?.eligibility;
  if (!result.data) {
    return (
      <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
    );
  }
  if (!answer) return <span>—</span>;
  if (answer.eligible) return <span className="eligible">{t('people.eligibility.eligible')}</span>;
  return (
    <ul className="reasons">
      {answer.reasons.map((reason) => (
        <li key={reason.code}>{reason.message}</li>
      ))}
    </ul>
  );
}

function DecisionForm(props: {
  enrollment: Enrollment;
  name: string;
  onDecided(id: string): void;
}) {
  const { t } = useLocale();
  const { enrollment } = props;
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [state, decide] = useMutation(DecideEligibilityMutation);
  const outcome = outcomeOf(state.data?.decideEligibility, state.error);
  const idBase = `decide-${enrollment.id}`;
  const reasonIssue = outcome?.fields['decisions.0.reason'];
  const [lastInput, setLastInput] = useState<Parameters<typeof decide>[0] | null>(null);

  async function send(decision: 'CONFIRM' | 'REJECT') {
    const input = {
      input: {
        decisions: [
          {
            enrollmentId: enrollment.id,
            decision,
            ...(decision === 'REJECT' ? { reason } : {}),
          },
        ],
      },
    };
    setLastInput(input);
    const answer = await decide(input);
    if (answer.data?.decideEligibility.__typename === 'MutationDecideEligibilitySuccess') {
      props.onDecided(enrollment.id);
    }
  }
  function submitRejection(event: FormEvent) {
    event.preventDefault();
    void send('REJECT');
  }

  return (
    <div className="decision">
      {!rejecting ? (
        <div className="actions">
          <button
            type="button"
            disabled={state.fetching}
            onClick={() => void send('CONFIRM')}
            aria-label={t('people.eligibility.confirmFor', { name: props.name })}
          >
            {t('people.eligibility.confirm')}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => setRejecting(true)}
            aria-label={t('people.eligibility.rejectFor', { name: props.name })}
          >
            {t('people.eligibility.reject')}
          </button>
        </div>
      ) : (
        <form onSubmit={submitRejection} noValidate>
          <label htmlFor={`${idBase}-reason`}>{t('people.eligibility.reason')}</label>
          <textarea
            id={`${idBase}-reason`}
            rows={2}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            aria-invalid={reasonIssue ? true : undefined}
            aria-describedby={reasonIssue ? `${idBase}-reason-issue` : undefined}
            autoFocus
          />
          <FieldIssue id={`${idBase}-reason-issue`} message={reasonIssue} />
          <div className="actions">
            <button type="submit" disabled={state.fetching}>
              {t('people.eligibility.rejectSubmit')}
            </button>
            <button type="button" className="secondary" onClick={() => setRejecting(false)}>
              {t('people.common.cancel')}
            </button>
          </div>
        </form>
      )}
      <FormAlert
        outcome={outcome}
        error={state.error}
        retry={lastInput ? () => void decide(lastInput) : undefined}
      />
    </div>
  );
}

function SubstituteForm(props: {
  enrollment: Enrollment;
  name: string;
  onSubstituted(id: string): void;
}) {
  const { t } = useLocale();
  const { enrollment } = props;
  const [teachers] = useQuery({ query: SchoolTeachersQuery });
  const [teacherId, setTeacherId] = useState('');
  const [state, substitute] = useMutation(SubstituteMutation);
  const answer = state.data?.substituteParticipant;
  const outcome = outcomeOf(answer, state.error);
  const idBase = `substitute-${enrollment.id}`;
  // The teacher is the form's only choice: an ineligible substitute (with the engine's
  // reasons), one already on the roster or of another school are all refusals of that choice.
  const teacherIssue = outcome
    ? (outcome.fields['teacherId'] ?? (outcome.message || undefined))
    : undefined;
  const input = { input: { enrollmentId: enrollment.id, teacherId } };
  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await substitute(input);
    const data = result.data?.substituteParticipant;
    if (data?.__typename === 'MutationSubstituteParticipantSuccess') {
      props.onSubstituted(enrollment.id);
      props.onSubstituted(data.data.id);
    }
  }
  return (
    <form onSubmit={submit} noValidate className="decision">
      <label htmlFor={`${idBase}-teacher`}>
        {t('people.eligibility.substituteWith', { name: props.name })}
      </label>
      <select
        id={`${idBase}-teacher`}
        value={teacherId}
        onChange={(event) => setTeacherId(event.target.value)}
        aria-invalid={teacherIssue ? true : undefined}
        aria-describedby={teacherIssue ? `${idBase}-teacher-issue` : undefined}
      >
        <option value="">{t('people.eligibility.chooseTeacher')}</option>
        {teachers.data?.teachers.edges
          .filter(({ node }) => node.id !== enrollment.teacher?.id)
          .map(({ node }) => (
            <option key={node.id} value={node.id}>
              {node.name} ({node.nationalId})
            </option>
          ))}
      </select>
      <FieldIssue id={`${idBase}-teacher-issue`} message={teacherIssue} />
      <div className="actions">
        <button type="submit" disabled={state.fetching || teacherId === ''}>
          {t('people.eligibility.substitute')}
        </button>
      </div>
      <FormAlert
        outcome={outcome && { ...outcome, message: null }}
        error={state.error}
        retry={() => void substitute(input)}
      />
    </form>
  );
}
