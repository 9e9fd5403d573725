import { useId, type ReactElement, type ReactNode } from 'react';

/** One issue the API named, as ValidationError.issues carries it. */
export interface FieldIssue {
  path: readonly string[];
  message: string;
}

/**
 * Keys issues by the field they name, without the leading argument name ("input.title" →
 * "title", "input.completionRules.minAttendanceRatio" → "completionRules.minAttendanceRatio").
 * Issues that name no field of the form stay under "" so the form can show them on top.
 */
export function issuesByField(
  issues: readonly FieldIssue[],
  known: ReadonlySet<string>,
): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const issue of issues) {
    const path = issue.path[0] === 'input' ? issue.path.slice(1) : issue.path;
    // The deepest known prefix wins: "eligibilityRules.stages.0" shows under the stages control.
    let key = '';
    for (let n = path.length; n > 0; n--) {
      const candidate = path.slice(0, n).join('.');
      if (known.has(candidate)) {
        key = candidate;
        break;
      }
    }
    const message = key ? issue.message : `${path.join('.')}: ${issue.message}`;
    byField[key] = byField[key] ? `${byField[key]} ${message}` : message;
  }
  return byField;
}

/**
 * A labelled control with its hint and its issue, wired for assistive technology: the
 * control is described by both and marked invalid while it has an issue.
 */
export function Field(props: {
  label: string;
  hint?: string | undefined;
  issue?: string | undefined;
  children(control: {
    id: string;
    'aria-invalid': true | undefined;
    'aria-describedby': string | undefined;
  }): ReactElement;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const issueId = `${id}-issue`;
  const describedBy = [props.hint ? hintId : null, props.issue ? issueId : null]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={props.issue ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      {props.children({
        id,
        'aria-invalid': props.issue ? true : undefined,
        'aria-describedby': describedBy || undefined,
      })}
      {props.hint && (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      )}
      {props.issue && (
        <p id={issueId} className="field-issue">
          {props.issue}
        </p>
      )}
    </div>
  );
}

/** A group of checkboxes with a legend, one shared issue. */
export function CheckboxGroup<T extends string>(props: {
  legend: string;
  options: readonly T[];
  label(option: T): string;
  value: readonly T[];
  onChange(value: T[]): void;
  issue?: string | undefined;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <fieldset
      className="checkbox-group"
      aria-describedby={props.issue ? `${id}-issue` : undefined}
      disabled={props.disabled}
    >
      <legend>{props.legend}</legend>
      {props.options.map((option) => (
        <label key={option} className="inline">
          <input
            type="checkbox"
            checked={props.value.includes(option)}
            onChange={(event) =>
              props.onChange(
                event.target.checked
                  ? [...props.value, option]
                  : props.value.filter((v) => v !== option),
              )
            }
          />
          {props.label(option)}
        </label>
      ))}
      {props.issue && (
        <p id={`${id}-issue`} className="field-issue">
          {props.issue}
        </p>
      )}
    </fieldset>
  );
}

/** A polite status line for outcomes ("Saved."), announced without moving focus. */
export function Notice(props: { children: ReactNode; tone?: 'ok' | 'error' }) {
  return (
    <p
      role={props.tone === 'error' ? 'alert' : 'status'}
      className={props.tone === 'error' ? 'alert' : 'notice'}
    >
      {props.children}
    </p>
  );
}

/** The message of a typed error payload (every member but the success one carries one). */
export function userErrorMessage(payload: { __typename: string } & object): string | null {
  return 'message' in payload && typeof payload.message === 'string' ? payload.message : null;
}
