import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql, type ResultOf } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { Notice, userErrorMessage } from './form';

const EnrollMutation = graphql(`
  mutation EnrollTeachers($input: EnrollTeachersInput!) {
    enrollTeachers(input: $input) {
      __typename
      ... on MutationEnrollTeachersSuccess {
        data {
          enrolledCount
          refusedCount
          outcomes {
            given
            enrolled
            teacher {
              id
              name
            }
            reasons {
              code
              message
            }
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

type Outcome = Extract<
  ResultOf<typeof EnrollMutation>['enrollTeachers'],
  { __typename: 'MutationEnrollTeachersSuccess' }
>['data']['outcomes'][number];

/**
 * The provider enrolls teachers by national teacher ID, as staff lists print them: one per
 * line (or separated by commas or spaces). Each eligible teacher is enrolled; each refused one
 * is listed with every reason the engine gave, so the list can be corrected and sent again.
 * Only while the activity is open for enrollment (the API refuses otherwise).
 */
export function EnrollTeachers(props: { activityId: string; onEnrolled?(): void }) {
  const { t, formatNumber } = useLocale();
  const fieldId = useId();
  const [text, setText] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [refused, setRefused] = useState<Outcome[]>([]);
  const [state, run] = useMutation(EnrollMutation);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    setMessage(null);
    setRefused([]);
    const nationalIds = text.split(/[\s,，;；]+/).filter(Boolean);
    if (nationalIds.length === 0) {
      setMessage({ ok: false, text: t('inst.enroll.empty') });
      return;
    }
    const answer = await run({ input: { activityId: props.activityId, nationalIds } });
    const payload = answer.data?.enrollTeachers;
    if (!payload) return;
    if (payload.__typename === 'MutationEnrollTeachersSuccess') {
      const { enrolledCount, refusedCount, outcomes } = payload.data;
      setMessage({
        ok: refusedCount === 0,
        text: t('inst.enroll.done', {
          enrolled: formatNumber(enrolledCount),
          refused: formatNumber(refusedCount),
        }),
      });
      const stillRefused = outcomes.filter((o) => !o.enrolled);
      setRefused(stillRefused);
      // What is left in the field is what still needs attention.
      setText(stillRefused.map((o) => o.given).join('\n'));
      if (enrolledCount > 0) props.onEnrolled?.();
      return;
    }
    const issues = payload.__typename === 'ValidationError' ? payload.issues : [];
    setMessage({
      ok: false,
      text: [userErrorMessage(payload), ...issues.map((i) => i.message)].filter(Boolean).join(' '),
    });
  }

  return (
    <section className="panel" aria-labelledby={`${fieldId}-heading`}>
      <h2 id={`${fieldId}-heading`}>{t('inst.enroll.title')}</h2>
      <form onSubmit={submit} className="enroll-form">
        <label htmlFor={fieldId}>{t('inst.enroll.ids')}</label>
        <textarea
          id={fieldId}
          rows={3}
          value={text}
          aria-describedby={`${fieldId}-help`}
          onChange={(event) => setText(event.target.value)}
        />
        <p id={`${fieldId}-help`} className="hint">
          {t('inst.enroll.help')}
        </p>
        <button type="submit" disabled={state.fetching}>
          {state.fetching ? t('inst.enroll.sending') : t('inst.enroll.submit')}
        </button>
      </form>
      {message && <Notice tone={message.ok ? 'ok' : 'error'}>{message.text}</Notice>}
      {state.error?.networkError && (
        <div role="alert" className="alert">
          <p>{t('common.networkError')}</p>
          <button type="button" onClick={() => void submit()}>
            {t('common.retry')}
          </button>
        </div>
      )}
      {refused.length > 0 && (
        <ul className="refused">
          {refused.map((outcome) => (
            <li key={outcome.given}>
              <span className="code">{outcome.given}</span>
              {outcome.teacher && ` ${outcome.teacher.name}`}:{' '}
              {outcome.reasons.map((r) => r.message).join(' ')}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
