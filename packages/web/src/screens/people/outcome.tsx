import type { CombinedError } from 'urql';
import { useLocale } from '../../i18n/locale';

/**
 * What a mutation answered, reduced to what a form shows: field issues keyed by the input path
 * after "input" (e.g. "decisions.0.reason"), and one message for errors that name no field.
 * Every mutation of the gateway answers a union of a success type and typed errors.
 */
export interface Outcome {
  fields: Record<string, string>;
  message: string | null;
}

type Answer =
  | {
      __typename: string;
      message?: string;
      issues?: ReadonlyArray<{ path: readonly string[]; message: string }>;
      reasons?: ReadonlyArray<{ code: string; message: string }>;
    }
  | null
  | undefined;

export function outcomeOf(answer: Answer, error: CombinedError | undefined): Outcome | null {
  if (error) {
    return {
      fields: {},
      message: error.networkError ? null : (error.graphQLErrors[0]?.message ?? ''),
    };
  }
  if (!answer || answer.__typename.endsWith('Success')) return null;
  const fields: Record<string, string> = {};
  for (const issue of answer.issues ?? []) {
    const key = (issue.path[0] === 'input' ? issue.path.slice(1) : issue.path).join('.');
    fields[key] = fields[key] ? `${fields[key]}; ${issue.message}` : issue.message;
  }
  const reasons = answer.reasons?.map((reason) => reason.message) ?? [];
  const named = Object.keys(fields).length > 0;
  return {
    fields,
    message: named ? null : [answer.message ?? '', ...reasons].filter(Boolean).join(' '),
  };
}

/** A field's issue under its input, linked by aria-describedby. */
export function FieldIssue(props: { id: string; message: string | undefined }) {
  if (!props.message) return null;
  return (
    <p id={props.id} className="field-issue">
      {props.message}
    </p>
  );
}

/**
 * A refusal that names no field, or a network failure with a retry that sends the same
 * input again (the form keeps what was typed either way).
 */
export function FormAlert(props: {
  outcome: Outcome | null;
  error: CombinedError | undefined;
  retry?: () => void;
}) {
  const { t } = useLocale();
  if (props.error?.networkError) {
    return (
      <div role="alert" className="alert">
        <p>{t('common.networkError')}</p>
        {props.retry && (
          <button type="button" onClick={props.retry}>
            {t('common.retry')}
          </button>
        )}
      </div>
    );
  }
  if (!props.outcome?.message) return null;
  return (
    <p role="alert" className="alert">
      {props.outcome.message}
    </p>
  );
}

/** The viewer's local calendar day as YYYY-MM-DD. */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
