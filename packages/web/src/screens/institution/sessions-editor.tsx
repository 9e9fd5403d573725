import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { CheckboxGroup, Field, issuesByField, Notice, userErrorMessage } from './form';

/*
 * The API lists no trainers directly (there is no `trainers` root field): the trainers an
 * institution works with are gathered from the sessions of its own activities.
 */
const ProviderTrainersQuery = graphql(`
  query ProviderTrainers($providerId: ID!) {
    activities(first: 50, filter: { providerId: $providerId }) {
      edges {
        node {
          id
          sessions {
            id
            trainers {
              id
              name
              title
            }
          }
        }
      }
    }
  }
`);

const AddSessionMutation = graphql(`
  mutation AddSession($input: AddSessionInput!) {
    addSession(input: $input) {
      __typename
      ... on MutationAddSessionSuccess {
        data {
          id
          sequence
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

const RemoveSessionMutation = graphql(`
  mutation RemoveSession($id: ID!) {
    removeSession(id: $id) {
      __typename
      ... on MutationRemoveSessionSuccess {
        data {
          id
          version
          sessions {
            id
          }
        }
      }
      ... on UserError {
        message
      }
    }
  }
`);

interface SessionDraft {
  title: string;
  startsAt: string;
  endsAt: string;
  hours: string;
  mode: 'IN_PERSON' | 'ONLINE';
  location: string;
  onlineMinMinutes: string;
  trainerIds: string[];
}

const emptySession: SessionDraft = {
  title: '',
  startsAt: '',
  endsAt: '',
  hours: '',
  mode: 'IN_PERSON',
  location: '',
  onlineMinMinutes: '',
  trainerIds: [],
};
type SessionField = keyof SessionDraft;
const sessionFields = new Set<string>(Object.keys(emptySession));

/** Live checks; the API's issues for the same fields replace them once it has answered. */
function checkSession(draft: SessionDraft): Partial<Record<SessionField, string>> {
  const issues: Partial<Record<SessionField, string>> = {};
  if (!draft.title.trim()) issues.title = 'inst.invalid.required';
  if (!draft.startsAt) issues.startsAt = 'inst.invalid.required';
  if (!draft.endsAt) issues.endsAt = 'inst.invalid.required';
  else if (draft.startsAt && draft.endsAt <= draft.startsAt)
    issues.endsAt = 'inst.invalid.endsAtBeforeStart';
  const hours = Number(draft.hours);
  if (!draft.hours.trim()) issues.hours = 'inst.invalid.required';
  else if (!(hours > 0)) issues.hours = 'inst.invalid.positive';
  if (draft.mode === 'IN_PERSON' && !draft.location.trim())
    issues.location = 'inst.invalid.required';
  if (draft.mode === 'ONLINE' && !/^\d+$/.test(draft.onlineMinMinutes.trim()))
    issues.onlineMinMinutes = 'inst.invalid.wholeNumber';
  return issues;
}

/** `datetime-local` text is wall-clock time in the browser's zone; the API takes an instant. */
const toInstant = (local: string) => new Date(local).toISOString();

export function SessionsEditor(props: {
  activity: {
    id: string;
    status: string;
    provider: { id: string };
    sessions: readonly {
      id: string;
      sequence: number;
      title: string;
      startsAt: string;
      endsAt: string;
      hours: number;
      mode: string;
      location?: string | null;
      trainers: readonly { id: string; name: string }[];
    }[];
  };
  onChange?(): void;
}) {
  const { t, formatDateTime, formatNumber } = useLocale();
  const { activity } = props;
  const editable = activity.status === 'DRAFT' || activity.status === 'REJECTED';
  const [trainersResult] = useQuery({
    query: ProviderTrainersQuery,
    variables: { providerId: activity.provider.id },
    pause: !editable,
  });
  const trainers = new Map<string, { id: string; name: string; title: string | null }>();
  for (const { node } of trainersResult.data?.activities.edges ?? [])
    for (const session of node.sessions)
      for (const trainer of session.trainers) trainers.set(trainer.id, trainer);
  const trainerList = [...trainers.values()].sort((a, b) => a.name.localeCompare(b.name));

  const [draft, setDraft] = useState<SessionDraft>(emptySession);
  const [attempted, setAttempted] = useState(false);
  const [serverIssues, setServerIssues] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [added, addSession] = useMutation(AddSessionMutation);
  const [removed, removeSession] = useMutation(RemoveSessionMutation);
  const clientIssues = checkSession(draft);

  const issueOf = (field: SessionField) =>
    serverIssues[field] ??
    (attempted && clientIssues[field]
      ? t(clientIssues[field] as Parameters<typeof t>[0], { min: 1 })
      : undefined);

  function set<K extends SessionField>(field: K, value: SessionDraft[K]) {
    setDraft((current) => ({ ...current, [field]: value }));
    setServerIssues(({ [field]: _dropped, ...rest }) => rest);
  }

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    setAttempted(true);
    setOutcome(null);
    if (Object.keys(clientIssues).length > 0) return;
    const answer = await addSession({
      input: {
        activityId: activity.id,
        title: draft.title.trim(),
        startsAt: toInstant(draft.startsAt),
        endsAt: toInstant(draft.endsAt),
        hours: Number(draft.hours),
        mode: draft.mode,
        location: draft.mode === 'IN_PERSON' ? draft.location.trim() : null,
        onlineMinMinutes: draft.mode === 'ONLINE' ? Number(draft.onlineMinMinutes) : null,
        trainerIds: draft.trainerIds,
      },
    });
    const payload = answer.data?.addSession;
    if (!payload) return; // network failure: the draft stays, the alert offers a retry
    if (payload.__typename === 'MutationAddSessionSuccess') {
      setDraft(emptySession);
      setAttempted(false);
      setServerIssues({});
      setOutcome({ ok: true, text: t('inst.sessions.added', { n: payload.data.sequence }) });
      props.onChange?.();
      return;
    }
    if (payload.__typename === 'ValidationError') {
      const { '': general, ...fields } = issuesByField(payload.issues, sessionFields);
      setServerIssues(fields);
      setOutcome({
        ok: false,
        text: [t('inst.editor.fixErrors', { count: payload.issues.length }), general]
          .filter(Boolean)
          .join(' '),
      });
      return;
    }
    setOutcome({ ok: false, text: userErrorMessage(payload) ?? '' });
  }

  async function remove(id: string) {
    setOutcome(null);
    const answer = await removeSession({ id });
    const payload = answer.data?.removeSession;
    if (payload && payload.__typename !== 'MutationRemoveSessionSuccess')
      setOutcome({ ok: false, text: userErrorMessage(payload) ?? '' });
    else if (payload) props.onChange?.();
  }

  return (
    <section className="sessions-editor" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{t('inst.sessions.title')}</h2>
      {activity.sessions.length === 0 ? (
        <p>{t('inst.sessions.none')}</p>
      ) : (
        <ol className="session-list">
          {activity.sessions.map((session) => (
            <li key={session.id}>
              <strong>
                {t('activity.session', { n: session.sequence })}: {session.title}
              </strong>
              <span>
                {formatDateTime(session.startsAt)} – {formatDateTime(session.endsAt)} ·{' '}
                {formatNumber(session.hours)} h ·{' '}
                {session.mode === 'ONLINE' ? t('activity.online') : session.location}
              </span>
              {session.trainers.length > 0 && (
                <span>
                  {t('activity.trainers')}: {session.trainers.map((tr) => tr.name).join(', ')}
                </span>
              )}
              <span className="row-actions">
                <Link href={`/sessions/${encodeURIComponent(session.id)}/attendance`}>
                  {t('inst.session.attendance', { n: session.sequence })}
                </Link>
                {editable && (
                  <button
                    type="button"
                    className="secondary"
                    disabled={removed.fetching}
                    onClick={() => void remove(session.id)}
                  >
                    {t('inst.sessions.remove', { n: session.sequence })}
                  </button>
                )}
              </span>
            </li>
          ))}
        </ol>
      )}
      {!editable ? (
        <p className="hint">{t('inst.sessions.locked')}</p>
      ) : (
        <form onSubmit={submit} noValidate className="session-form">
          <fieldset>
            <legend>{t('inst.sessions.newTitle')}</legend>
            <div className="grid">
              <Field label={t('inst.session.title')} issue={issueOf('title')}>
                {(control) => (
                  <input
                    {...control}
                    name="sessionTitle"
                    value={draft.title}
                    onChange={(event) => set('title', event.target.value)}
                  />
                )}
              </Field>
              <Field label={t('inst.session.startsAt')} issue={issueOf('startsAt')}>
                {(control) => (
                  <input
                    {...control}
                    type="datetime-local"
                    name="startsAt"
                    value={draft.startsAt}
                    onChange={(event) => set('startsAt', event.target.value)}
                  />
                )}
              </Field>
              <Field label={t('inst.session.endsAt')} issue={issueOf('endsAt')}>
                {(control) => (
                  <input
                    {...control}
                    type="datetime-local"
                    name="endsAt"
                    value={draft.endsAt}
                    onChange={(event) => set('endsAt', event.target.value)}
                  />
                )}
              </Field>
              <Field label={t('inst.session.hours')} issue={issueOf('hours')}>
                {(control) => (
                  <input
                    {...control}
                    inputMode="decimal"
                    name="hours"
                    value={draft.hours}
                    onChange={(event) => set('hours', event.target.value)}
                  />
                )}
              </Field>
              <Field label={t('inst.session.mode')} issue={issueOf('mode')}>
                {(control) => (
                  <select
                    {...control}
                    name="mode"
                    value={draft.mode}
                    onChange={(event) => set('mode', event.target.value as SessionDraft['mode'])}
                  >
                    <option value="IN_PERSON">{t('inst.session.mode.IN_PERSON')}</option>
                    <option value="ONLINE">{t('inst.session.mode.ONLINE')}</option>
                  </select>
                )}
              </Field>
              {draft.mode === 'IN_PERSON' ? (
                <Field label={t('inst.session.location')} issue={issueOf('location')}>
                  {(control) => (
                    <input
                      {...control}
                      name="location"
                      value={draft.location}
                      onChange={(event) => set('location', event.target.value)}
                    />
                  )}
                </Field>
              ) : (
                <Field label={t('inst.session.onlineMin')} issue={issueOf('onlineMinMinutes')}>
                  {(control) => (
                    <input
                      {...control}
                      inputMode="numeric"
                      name="onlineMinMinutes"
                      value={draft.onlineMinMinutes}
                      onChange={(event) => set('onlineMinMinutes', event.target.value)}
                    />
                  )}
                </Field>
              )}
            </div>
            {trainerList.length === 0 ? (
              <p className="hint">{t('inst.session.noTrainers')}</p>
            ) : (
              <CheckboxGroup
                legend={t('inst.session.trainers')}
                options={trainerList.map((trainer) => trainer.id)}
                label={(id) => {
                  const trainer = trainers.get(id)!;
                  return trainer.title ? `${trainer.name} (${trainer.title})` : trainer.name;
                }}
                value={draft.trainerIds}
                onChange={(value) => set('trainerIds', value)}
                issue={serverIssues.trainerIds}
              />
            )}
          </fieldset>
          {outcome && <Notice tone={outcome.ok ? 'ok' : 'error'}>{outcome.text}</Notice>}
          {(added.error?.networkError || removed.error?.networkError) && (
            <div role="alert" className="alert">
              <p>{t('common.networkError')}</p>
              <button type="button" onClick={() => void submit()}>
                {t('common.retry')}
              </button>
            </div>
          )}
          <button type="submit" disabled={added.fetching}>
            {added.fetching ? t('inst.sessions.adding') : t('inst.sessions.add')}
          </button>
        </form>
      )}
    </section>
  );
}
