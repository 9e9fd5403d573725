import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql, type ResultOf } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import type { MessageKey } from '../../i18n/messages';
import { Dialog } from '../institution/dialog';
import { Field, Notice, userErrorMessage } from '../institution/form';
import { TransitionMutation } from '../institution/lifecycle-actions';
import { QueryState } from '../query-state';
import '../institution/institution.css';
import './office.css';
import { ActivityFacts } from '../activity-facts';

const SubmittedActivitiesQuery = graphql(`
  query SubmittedActivities {
    activities(first: 50, filter: { status: [SUBMITTED] }) {
      totalCount
      edges {
        node {
          id
          code
          title
          description
          status
          version
          level
          deliveryMode
          startsOn
          endsOn
          creditHours
          capacity
          selfEnrollment
          rejectionReason
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
          eligibilityRules {
            stages
            roleTags
            subjects
            locality
            minYearsOfService
            maxYearsOfService
            regions {
              id
              name
            }
            schools {
              id
              name
            }
          }
          completionRules {
            minAttendanceRatio
            requireOnlineMinimums
            minAssignmentsOnTime
            minAssessment
          }
          sessions {
            id
            hours
          }
        }
      }
    }
  }
`);

type Submitted = ResultOf<typeof SubmittedActivitiesQuery>['activities']['edges'][number]['node'];

/**
 * The office's approval queue: every submitted activity it can see, with the details as
 * submitted, approved in one step or rejected with a reason the provider reads. The API keeps
 * no earlier version of an activity to compare with, so "what changed" is shown as the full
 * submission plus, for a resubmission, the reason of the earlier rejection.
 */
export default function ApprovalQueueScreen() {
  const { t, formatNumber } = useLocale();
  const [result, reexecute] = useQuery({ query: SubmittedActivitiesQuery });
  const [decision, setDecision] = useState<{ ok: boolean; text: string } | null>(null);
  const [rejecting, setRejecting] = useState<Submitted | null>(null);
  const refetch = () => reexecute({ requestPolicy: 'network-only' });
  if (!result.data) return <QueryState result={result} retry={refetch} />;
  // A decided activity leaves the queue as soon as the cache holds its new status.
  const queue = result.data.activities.edges
    .map((edge) => edge.node)
    .filter((node) => node.status === 'SUBMITTED');

  return (
    <section className="approvals">
      <h1>{t('office.approvals.title')}</h1>
      <p className="count" aria-live="polite">
        {t('office.approvals.count', { count: formatNumber(queue.length) })}
      </p>
      {decision && <Notice tone={decision.ok ? 'ok' : 'error'}>{decision.text}</Notice>}
      {queue.length === 0 && <p>{t('office.approvals.empty')}</p>}
      {queue.map((activity) => (
        <SubmittedActivity
          key={activity.id}
          activity={activity}
          onDecided={setDecision}
          onReject={() => setRejecting(activity)}
        />
      ))}
      {result.error && <QueryState result={result} retry={refetch} />}
      <RejectDialog
        activity={rejecting}
        onClose={() => setRejecting(null)}
        onRejected={(text) => {
          setRejecting(null);
          setDecision({ ok: true, text });
        }}
      />
    </section>
  );
}

function SubmittedActivity(props: {
  activity: Submitted;
  onDecided(outcome: { ok: boolean; text: string }): void;
  onReject(): void;
}) {
  const { t, formatNumber } = useLocale();
  const { activity } = props;
  const [approval, transition] = useMutation(TransitionMutation);
  const headingId = `submitted-${activity.id}`;

  async function approve() {
    const answer = await transition({
      input: { activityId: activity.id, action: 'APPROVE', version: activity.version },
    });
    const payload = answer.data?.transitionActivity;
    if (!payload) {
      props.onDecided({ ok: false, text: t('common.networkError') });
      return;
    }
    props.onDecided(
      payload.__typename === 'MutationTransitionActivitySuccess'
        ? { ok: true, text: t('office.approvals.approved', { title: activity.title }) }
        : { ok: false, text: userErrorMessage(payload) ?? '' },
    );
  }

  const totalSessionHours = activity.sessions.reduce((sum, s) => sum + s.hours, 0);
  return (
    <article className="panel submitted" aria-labelledby={headingId}>
      <h2 id={headingId}>
        <Link href={`/activities/${encodeURIComponent(activity.id)}`}>{activity.title}</Link>{' '}
        <span className="code">{activity.code}</span>
      </h2>
      <p>
        {activity.rejectionReason
          ? t('office.approvals.resubmitted', { reason: activity.rejectionReason })
          : t('office.approvals.firstSubmission')}
      </p>
      <h3 className="visually-hidden">{t('office.approvals.submitted')}</h3>
      <dl className="facts">
        <ActivityFacts activity={activity} />
        <dt>{t('activity.sessions')}</dt>
        <dd>
          {t('office.approvals.sessions', {
            count: formatNumber(activity.sessions.length),
            hours: formatNumber(totalSessionHours),
          })}
        </dd>
        <dt>{t('activity.capacity')}</dt>
        <dd>
          {activity.capacity == null ? t('activity.noLimit') : formatNumber(activity.capacity)}
        </dd>
        <dt>{t('inst.editor.eligibility')}</dt>
        <dd>
          <EligibilitySummary rules={activity.eligibilityRules} />
        </dd>
        <dt>{t('inst.editor.completion')}</dt>
        <dd>
          <CompletionSummary rules={activity.completionRules} />
        </dd>
      </dl>
      {activity.description && <p className="description">{activity.description}</p>}
      <div className="decision-actions">
        <button type="button" disabled={approval.fetching} onClick={() => void approve()}>
          {t('office.approvals.approve')}
          <span className="visually-hidden"> {activity.title}</span>
        </button>
        <button type="button" className="secondary" onClick={props.onReject}>
          {t('office.approvals.reject')}
          <span className="visually-hidden"> {activity.title}</span>
        </button>
      </div>
    </article>
  );
}

function EligibilitySummary(props: { rules: Submitted['eligibilityRules'] }) {
  const { t } = useLocale();
  const r = props.rules;
  const lines: string[] = [];
  const list = (items: readonly string[], prefix: string) =>
    items.map((item) => t(`${prefix}.${item}` as MessageKey)).join(', ');
  if (r.stages?.length) lines.push(`${t('office.rule.stages')}: ${list(r.stages, 'stage')}`);
  if (r.roleTags?.length)
    lines.push(`${t('office.rule.roleTags')}: ${list(r.roleTags, 'roleTag')}`);
  if (r.subjects?.length) lines.push(`${t('office.rule.subjects')}: ${r.subjects.join(', ')}`);
  if (r.locality)
    lines.push(`${t('office.rule.locality')}: ${t(`locality.${r.locality}` as MessageKey)}`);
  if (r.minYearsOfService != null || r.maxYearsOfService != null)
    lines.push(
      `${t('office.rule.years')}: ${t('office.rule.yearsRange', {
        min: r.minYearsOfService ?? 0,
        max: r.maxYearsOfService ?? '∞',
      })}`,
    );
  if (r.regions?.length)
    lines.push(`${t('office.rule.regions')}: ${r.regions.map((x) => x.name).join(', ')}`);
  if (r.schools?.length)
    lines.push(`${t('office.rule.schools')}: ${r.schools.map((x) => x.name).join(', ')}`);
  if (lines.length === 0) return <>{t('office.approvals.anyone')}</>;
  return (
    <ul className="rules">
      {lines.map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  );
}

function CompletionSummary(props: { rules: Submitted['completionRules'] }) {
  const { t, locale } = useLocale();
  const r = props.rules;
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  return (
    <ul className="rules">
      <li>{t('office.rule.attendance', { percent: percent.format(r.minAttendanceRatio) })}</li>
      {r.requireOnlineMinimums && <li>{t('office.rule.online')}</li>}
      {r.minAssignmentsOnTime > 0 && (
        <li>{t('office.rule.assignments', { count: r.minAssignmentsOnTime })}</li>
      )}
      {r.minAssessment && (
        <li>
          {t('office.rule.assessment', {
            result: t(`assessment.${r.minAssessment}` as MessageKey),
          })}
        </li>
      )}
    </ul>
  );
}

/**
 * Rejecting asks for a reason in a modal dialog. The reason typed survives a refused or
 * failed attempt: the dialog stays open with the error beside the field.
 */
function RejectDialog(props: {
  activity: Submitted | null;
  onClose(): void;
  onRejected(text: string): void;
}) {
  const { t } = useLocale();
  const [reason, setReason] = useState('');
  const [issue, setIssue] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [rejection, transition] = useMutation(TransitionMutation);
  const activity = props.activity;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!activity) return;
    setError(null);
    if (!reason.trim()) {
      setIssue(t('office.reject.required'));
      return;
    }
    const answer = await transition({
      input: {
        activityId: activity.id,
        action: 'REJECT',
        version: activity.version,
        reason: reason.trim(),
      },
    });
    const payload = answer.data?.transitionActivity;
    if (!payload) {
      setError(t('common.networkError'));
      return;
    }
    if (payload.__typename === 'MutationTransitionActivitySuccess') {
      setReason('');
      setIssue(undefined);
      props.onRejected(t('office.approvals.rejected', { title: activity.title }));
      return;
    }
    if (payload.__typename === 'ValidationError') {
      setIssue(payload.issues.map((i) => i.message).join(' '));
      return;
    }
    setError(userErrorMessage(payload));
  }

  return (
    <Dialog
      open={activity !== null}
      title={activity ? t('office.reject.title', { title: activity.title }) : ''}
      onClose={props.onClose}
    >
      <form onSubmit={submit} noValidate>
        <Field label={t('office.reject.reason')} issue={issue}>
          {(control) => (
            <textarea
              {...control}
              name="reason"
              rows={4}
              value={reason}
              onChange={(event) => {
                setReason(event.target.value);
                setIssue(undefined);
              }}
            />
          )}
        </Field>
        {error && <Notice tone="error">{error}</Notice>}
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={props.onClose}>
            {t('inst.cancel')}
          </button>
          <button type="submit" disabled={rejection.fetching}>
            {t('office.reject.confirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
