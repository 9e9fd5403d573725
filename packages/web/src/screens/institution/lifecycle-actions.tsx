import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import type { MessageKey } from '../../i18n/messages';
import { Dialog } from './dialog';
import { Notice, userErrorMessage } from './form';

export const TransitionMutation = graphql(`
  mutation TransitionActivity($input: TransitionActivityInput!) {
    transitionActivity(input: $input) {
      __typename
      ... on MutationTransitionActivitySuccess {
        data {
          id
          status
          version
          rejectionReason
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

type ProviderAction = 'SUBMIT' | 'OPEN' | 'START' | 'CLOSE';

/** The one step a provider may take from each status (the office takes the others). */
const nextStep: Partial<Record<string, ProviderAction>> = {
  DRAFT: 'SUBMIT',
  REJECTED: 'SUBMIT',
  APPROVED: 'OPEN',
  OPEN: 'START',
  IN_PROGRESS: 'CLOSE',
};

/**
 * The provider's next lifecycle step for an activity. Closing asks first in a dialog, since
 * attendance is then only corrected through amendments. The version read travels with the
 * step, so a stale screen gets a conflict instead of overwriting someone else's change.
 */
export function LifecycleActions(props: {
  activity: { id: string; status: string; version: number };
  onDone?(status: string): void;
}) {
  const { t } = useLocale();
  const [result, transition] = useMutation(TransitionMutation);
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const action = nextStep[props.activity.status];

  async function run(step: ProviderAction) {
    setConfirming(false);
    setOutcome(null);
    const answer = await transition({
      input: { activityId: props.activity.id, action: step, version: props.activity.version },
    });
    const payload = answer.data?.transitionActivity;
    if (!payload) {
      setOutcome({ ok: false, text: t('common.networkError') });
      return;
    }
    if (payload.__typename === 'MutationTransitionActivitySuccess') {
      const status = t(`status.${payload.data.status}` as MessageKey);
      setOutcome({ ok: true, text: t('inst.action.done', { status }) });
      props.onDone?.(payload.data.status);
      return;
    }
    const issues = payload.__typename === 'ValidationError' ? payload.issues : [];
    setOutcome({
      ok: false,
      text: [userErrorMessage(payload), ...issues.map((issue) => issue.message)]
        .filter(Boolean)
        .join(' '),
    });
  }

  return (
    <div className="lifecycle">
      <p>
        {t('inst.lifecycle.title')}:{' '}
        <span className={`status status-${props.activity.status.toLowerCase()}`}>
          {t(`status.${props.activity.status}` as MessageKey)}
        </span>
      </p>
      {action && (
        <button
          type="button"
          disabled={result.fetching}
          onClick={() => (action === 'CLOSE' ? setConfirming(true) : void run(action))}
        >
          {result.fetching ? t('inst.action.busy') : t(`inst.action.${action}` as MessageKey)}
        </button>
      )}
      {result.fetching && (
        <progress aria-label={t('inst.action.busy')} className="busy-indicator" />
      )}
      {outcome && <Notice tone={outcome.ok ? 'ok' : 'error'}>{outcome.text}</Notice>}
      <Dialog open={confirming} title={t('inst.action.CLOSE')} onClose={() => setConfirming(false)}>
        <p>{t('inst.action.closeConfirm')}</p>
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            {t('inst.cancel')}
          </button>
          <button type="button" onClick={() => void run('CLOSE')}>
            {t('inst.action.CLOSE')}
          </button>
        </div>
      </Dialog>
    </div>
  );
}
