import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useLocation, useSearch } from 'wouter';
import { graphql, type ResultOf, type VariablesOf } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import type { MessageKey } from '../../i18n/messages';
import { QueryState } from '../query-state';
import { CheckboxGroup, Field, issuesByField, Notice, userErrorMessage } from './form';
import { LifecycleActions } from './lifecycle-actions';
import { SessionsEditor } from './sessions-editor';
import './institution.css';

const EditorContextQuery = graphql(`
  query ActivityEditorContext {
    creditCategories {
      code
      nameEn
      nameZh
    }
    me {
      username
      memberships {
        role
        organization {
          id
          name
          kind
        }
      }
    }
  }
`);

export const ActivityForEditQuery = graphql(`
  query ActivityForEdit($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Activity {
        code
        title
        description
        status
        level
        deliveryMode
        startsOn
        endsOn
        creditHours
        capacity
        selfEnrollment
        rejectionReason
        version
        category {
          code
        }
        provider {
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
        }
        completionRules {
          minAttendanceRatio
          requireOnlineMinimums
          minAssignmentsOnTime
          minAssessment
        }
        sessions {
          id
          sequence
          title
          startsAt
          endsAt
          hours
          mode
          location
          onlineMinMinutes
          trainers {
            id
            name
          }
        }
      }
    }
  }
`);

const CreateActivityMutation = graphql(`
  mutation CreateActivity($input: CreateActivityInput!) {
    createActivity(input: $input) {
      __typename
      ... on MutationCreateActivitySuccess {
        data {
          id
          version
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

const UpdateActivityMutation = graphql(`
  mutation UpdateActivity($input: UpdateActivityInput!) {
    updateActivity(input: $input) {
      __typename
      ... on MutationUpdateActivitySuccess {
        data {
          id
          version
          code
          title
          description
          status
          level
          deliveryMode
          startsOn
          endsOn
          creditHours
          capacity
          selfEnrollment
          category {
            code
          }
          eligibilityRules {
            stages
            roleTags
            subjects
            locality
            minYearsOfService
            maxYearsOfService
          }
          completionRules {
            minAttendanceRatio
            requireOnlineMinimums
            minAssignmentsOnTime
            minAssessment
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

type CreateInput = VariablesOf<typeof CreateActivityMutation>['input'];
type Level = CreateInput['level'];
type DeliveryMode = CreateInput['deliveryMode'];
type Eligibility = NonNullable<CreateInput['eligibilityRules']>;
type Stage = NonNullable<Eligibility['stages']>[number];
type RoleTag = NonNullable<Eligibility['roleTags']>[number];
type Locality = NonNullable<Eligibility['locality']>;
type Assessment = NonNullable<NonNullable<CreateInput['completionRules']>['minAssessment']>;
type LoadedActivity = Extract<
  NonNullable<ResultOf<typeof ActivityForEditQuery>['node']>,
  { __typename: 'Activity' }
>;

const levels: Level[] = ['NATIONAL', 'PROVINCIAL', 'MUNICIPAL', 'DISTRICT', 'SCHOOL'];
const deliveryModes: DeliveryMode[] = [
  'CENTRALIZED',
  'ONLINE',
  'BLENDED',
  'SCHOOL_BASED',
  'MENTORING',
  'OBSERVATION',
];
const stages: Stage[] = ['PRIMARY', 'JUNIOR', 'SENIOR'];
const roleTags: RoleTag[] = ['NEW_TEACHER', 'BACKBONE_TEACHER', 'CLASS_TEACHER', 'PRINCIPAL'];
const localities: Locality[] = ['RURAL', 'URBAN'];
const assessments: Assessment[] = ['QUALIFIED', 'EXCELLENT'];

/** What the form holds: the text of every control, exactly as typed. */
interface Draft {
  code: string;
  title: string;
  description: string;
  category: string;
  level: Level;
  deliveryMode: DeliveryMode;
  startsOn: string;
  endsOn: string;
  creditHours: string;
  capacity: string;
  selfEnrollment: boolean;
  stages: Stage[];
  roleTags: RoleTag[];
  subjects: string;
  locality: Locality | '';
  minYears: string;
  maxYears: string;
  minAttendance: string;
  requireOnline: boolean;
  minAssignments: string;
  minAssessment: Assessment | '';
  reason: string;
}

/** Each control's key is the API path of the input field it fills, so API issues land on it. */
const fieldPath = {
  code: 'code',
  title: 'title',
  description: 'description',
  category: 'category',
  level: 'level',
  deliveryMode: 'deliveryMode',
  startsOn: 'startsOn',
  endsOn: 'endsOn',
  creditHours: 'creditHours',
  capacity: 'capacity',
  selfEnrollment: 'selfEnrollment',
  stages: 'eligibilityRules.stages',
  roleTags: 'eligibilityRules.roleTags',
  subjects: 'eligibilityRules.subjects',
  locality: 'eligibilityRules.locality',
  minYears: 'eligibilityRules.minYearsOfService',
  maxYears: 'eligibilityRules.maxYearsOfService',
  minAttendance: 'completionRules.minAttendanceRatio',
  requireOnline: 'completionRules.requireOnlineMinimums',
  minAssignments: 'completionRules.minAssignmentsOnTime',
  minAssessment: 'completionRules.minAssessment',
  reason: 'reason',
} as const satisfies Record<keyof Draft, string>;
type FieldKey = keyof Draft;
const knownPaths = new Set<string>(Object.values(fieldPath));
function emptyDraft(): Draft {
  return {
    code: '',
    title: '',
    description: '',
    category: '',
    level: 'DISTRICT',
    deliveryMode: 'CENTRALIZED',
    startsOn: '',
    endsOn: '',
    creditHours: '',
    capacity: '',
    selfEnrollment: false,
    stages: [],
    roleTags: [],
    subjects: '',
    locality: '',
    minYears: '',
    maxYears: '',
    minAttendance: '80',
    requireOnline: true,
    minAssignments: '0',
    minAssessment: '',
    reason: '',
  };
}

function draftFrom(activity: LoadedActivity): Draft {
  const rules = activity.eligibilityRules;
  const completion = activity.completionRules;
  return {
    code: activity.code,
    title: activity.title,
    description: activity.description,
    category: activity.category.code,
    level: activity.level,
    deliveryMode: activity.deliveryMode,
    startsOn: activity.startsOn,
    endsOn: activity.endsOn,
    creditHours: String(activity.creditHours),
    capacity: activity.capacity == null ? '' : String(activity.capacity),
    selfEnrollment: activity.selfEnrollment,
    stages: [...(rules.stages ?? [])],
    roleTags: [...(rules.roleTags ?? [])],
    subjects: (rules.subjects ?? []).join(', '),
    locality: rules.locality ?? '',
    minYears: rules.minYearsOfService == null ? '' : String(rules.minYearsOfService),
    maxYears: rules.maxYearsOfService == null ? '' : String(rules.maxYearsOfService),
    minAttendance: String(Math.round(completion.minAttendanceRatio * 1000) / 10),
    requireOnline: completion.requireOnlineMinimums,
    minAssignments: String(completion.minAssignmentsOnTime),
    minAssessment: completion.minAssessment ?? '',
    reason: '',
  };
}

const codePattern = /^[0-9A-Za-z_-]{2,40}$/;
const isWhole = (text: string, min: number) =>
  /^\d+$/.test(text.trim()) && Number(text.trim()) >= min;
const numberOrNull = (text: string) => (text.trim() === '' ? null : Number(text.trim()));

/**
 * Live checks of what the browser can know by itself, as message keys. They guide typing;
 * the API stays the judge (its issues show beside the same controls).
 */
function check(draft: Draft, needsReason: boolean): Partial<Record<FieldKey, MessageKey>> {
  const issues: Partial<Record<FieldKey, MessageKey>> = {};
  if (!codePattern.test(draft.code.trim())) issues.code = 'inst.invalid.code';
  if (!draft.title.trim()) issues.title = 'inst.invalid.required';
  if (!draft.category) issues.category = 'inst.invalid.required';
  if (!draft.startsOn) issues.startsOn = 'inst.invalid.required';
  if (!draft.endsOn) issues.endsOn = 'inst.invalid.required';
  else if (draft.startsOn && draft.endsOn < draft.startsOn)
    issues.endsOn = 'inst.invalid.endBeforeStart';
  const hours = Number(draft.creditHours);
  if (!draft.creditHours.trim()) issues.creditHours = 'inst.invalid.required';
  else if (!Number.isFinite(hours) || hours <= 0) issues.creditHours = 'inst.invalid.positive';
  if (draft.capacity.trim() && !isWhole(draft.capacity, 1))
    issues.capacity = 'inst.invalid.wholeNumber';
  if (draft.minYears.trim() && !isWhole(draft.minYears, 0))
    issues.minYears = 'inst.invalid.wholeNumber';
  if (draft.maxYears.trim() && !isWhole(draft.maxYears, 0))
    issues.maxYears = 'inst.invalid.wholeNumber';
  else if (
    draft.maxYears.trim() &&
    draft.minYears.trim() &&
    Number(draft.maxYears) < Number(draft.minYears)
  )
    issues.maxYears = 'inst.invalid.yearsOrder';
  const attendance = Number(draft.minAttendance);
  if (!draft.minAttendance.trim() || !(attendance >= 0 && attendance <= 100))
    issues.minAttendance = 'inst.invalid.percent';
  if (!isWhole(draft.minAssignments, 0)) issues.minAssignments = 'inst.invalid.wholeNumber';
  if (needsReason && !draft.reason.trim()) issues.reason = 'inst.invalid.required';
  return issues;
}

function rulesFrom(draft: Draft) {
  const subjects = draft.subjects
    .split(/[,，、]/)
    .map((subject) => subject.trim())
    .filter(Boolean);
  return {
    eligibilityRules: {
      stages: draft.stages.length ? draft.stages : null,
      roleTags: draft.roleTags.length ? draft.roleTags : null,
      subjects: subjects.length ? subjects : null,
      locality: draft.locality || null,
      minYearsOfService: numberOrNull(draft.minYears),
      maxYearsOfService: numberOrNull(draft.maxYears),
    },
    completionRules: {
      // The form shows a percentage; the API keeps a ratio.
      minAttendanceRatio: Math.round(Number(draft.minAttendance) * 10) / 1000,
      requireOnlineMinimums: draft.requireOnline,
      minAssignmentsOnTime: Number(draft.minAssignments),
      minAssessment: draft.minAssessment || null,
    },
  };
}

/** The fields both createActivity and updateActivity take, from what the form holds. */
function inputFrom(draft: Draft) {
  return {
    title: draft.title.trim(),
    description: draft.description,
    category: draft.category,
    level: draft.level,
    deliveryMode: draft.deliveryMode,
    startsOn: draft.startsOn,
    endsOn: draft.endsOn,
    creditHours: Number(draft.creditHours),
    capacity: numberOrNull(draft.capacity),
    selfEnrollment: draft.selfEnrollment,
    ...rulesFrom(draft),
  };
}

/** The fields of `next` whose value differs from `saved` (rules compared as a whole). */
function changedFields<T extends Record<string, unknown>>(next: T, saved: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(next).filter(
      ([key, value]) => JSON.stringify(value) !== JSON.stringify(saved[key]),
    ),
  ) as Partial<T>;
}

/** Statuses in which the provider edits without going through the office. */
const freelyEditable = new Set(['DRAFT', 'REJECTED']);
/** Statuses in which a change needs a reason (and the office for rule changes). */
const editableWithReason = new Set(['APPROVED', 'OPEN', 'IN_PROGRESS', 'CLOSED']);

/** Creates a draft activity: route '/institution/activities/new'. */
export function NewActivityScreen() {
  return <ActivityEditor activity={null} />;
}

/** Edits an activity, its sessions and its status: route '/institution/activities/:id/edit'. */
export function EditActivityScreen(props: { params: Record<string, string | undefined> }) {
  const { t } = useLocale();
  const id = props.params.id ?? '';
  const [result, reexecute] = useQuery({ query: ActivityForEditQuery, variables: { id } });
  if (!result.data)
    return (
      <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
    );
  const activity = result.data.node?.__typename === 'Activity' ? result.data.node : null;
  if (!activity) return <p role="alert">{t('activity.notFound')}</p>;
  return (
    <ActivityEditor
      key={activity.id}
      activity={activity}
      refetch={() => reexecute({ requestPolicy: 'network-only' })}
    />
  );
}

function ActivityEditor(props: { activity: LoadedActivity | null; refetch?(): void }) {
  const { t, locale } = useLocale();
  const { activity } = props;
  const [, navigate] = useLocation();
  const justCreated = new URLSearchParams(useSearch()).has('created');
  const [context, reexecuteContext] = useQuery({ query: EditorContextQuery });
  const [draft, setDraft] = useState<Draft>(() => (activity ? draftFrom(activity) : emptyDraft()));
  const [touched, setTouched] = useState<Set<FieldKey>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [serverIssues, setServerIssues] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(
    justCreated ? { ok: true, text: t('inst.editor.created') } : null,
  );
  const [created, create] = useMutation(CreateActivityMutation);
  const [updated, update] = useMutation(UpdateActivityMutation);
  const formRef = useRef<HTMLFormElement>(null);
  const busy = created.fetching || updated.fetching;

  const status = activity?.status ?? 'DRAFT';
  const needsReason = editableWithReason.has(status);
  const readOnly = activity !== null && !freelyEditable.has(status) && !needsReason;
  const clientIssues = useMemo(() => check(draft, needsReason), [draft, needsReason]);

  const providers = (context.data?.me?.memberships ?? [])
    .filter(
      (m) =>
        m.organization &&
        (m.role === 'INSTITUTION_ADMIN' ||
          m.role === 'SCHOOL_ADMIN' ||
          m.role === 'PLATFORM_ADMIN'),
    )
    .map((m) => m.organization!);
  const providerId = activity?.provider.id ?? providers[0]?.id ?? null;

  /** The issue shown beside a control: the API's first, else the live check once touched. */
  function issueOf(field: FieldKey): string | undefined {
    const server = serverIssues[fieldPath[field]];
    if (server) return server;
    const local = clientIssues[field];
    return local && (attempted || touched.has(field))
      ? t(local, { min: field === 'capacity' ? 1 : 0 })
      : undefined;
  }

  function set<K extends FieldKey>(field: K, value: Draft[K]) {
    setDraft((current) => ({ ...current, [field]: value }));
    setTouched((current) => new Set(current).add(field));
    // An API issue describes the value sent; once the value changes it no longer applies.
    setServerIssues((current) => {
      if (!(fieldPath[field] in current)) return current;
      const next = { ...current };
      delete next[fieldPath[field]];
      return next;
    });
  }

  // After a refused submit, focus moves to the first control with an issue.
  const [focusRequest, setFocusRequest] = useState(0);
  useEffect(() => {
    if (!focusRequest) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusRequest]);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    setAttempted(true);
    setOutcome(null);
    if (Object.keys(clientIssues).length > 0) {
      setFocusRequest((n) => n + 1);
      return;
    }
    const common = inputFrom(draft);
    let payload:
      | NonNullable<typeof created.data>['createActivity']
      | NonNullable<typeof updated.data>['updateActivity']
      | undefined;
    if (activity) {
      const answer = await update({
        input: {
          id: activity.id,
          version: activity.version,
          // Only what changed: after approval, untouched rules must not read as a change
          // that needs the office.
          ...changedFields(common, inputFrom(draftFrom(activity))),
          ...(needsReason ? { reason: draft.reason.trim() } : {}),
        },
      });
      payload = answer.data?.updateActivity;
    } else {
      if (!providerId) return;
      const answer = await create({ input: { ...common, code: draft.code.trim(), providerId } });
      payload = answer.data?.createActivity;
    }
    // A network failure keeps everything typed; the alert below offers to send it again.
    if (!payload) return;
    if (payload.__typename === 'MutationCreateActivitySuccess') {
      navigate(`/institution/activities/${encodeURIComponent(payload.data.id)}/edit?created=1`);
      return;
    }
    if (payload.__typename === 'MutationUpdateActivitySuccess') {
      setServerIssues({});
      setDraft((current) => ({ ...current, reason: '' }));
      setOutcome({ ok: true, text: t('inst.editor.saved') });
      return;
    }
    if (payload.__typename === 'ValidationError') {
      const byField = issuesByField(payload.issues, knownPaths);
      const { '': general, ...fields } = byField;
      setServerIssues(fields);
      setOutcome({
        ok: false,
        text: [t('inst.editor.fixErrors', { count: payload.issues.length }), general]
          .filter(Boolean)
          .join(' '),
      });
      setFocusRequest((n) => n + 1);
      return;
    }
    setOutcome({ ok: false, text: userErrorMessage(payload) ?? '' });
  }

  const networkError = (created.error ?? updated.error)?.networkError;
  const categories = context.data?.creditCategories ?? [];
  const visibleIssueCount = (Object.keys(fieldPath) as FieldKey[]).filter(issueOf).length;

  return (
    <section className="editor">
      {activity && (
        <Link href={`/activities/${encodeURIComponent(activity.id)}`}>
          ← {t('inst.link.detail')}
        </Link>
      )}
      <h1>
        {activity
          ? t('inst.editor.editTitle', { title: activity.title })
          : t('inst.editor.createTitle')}
      </h1>
      {activity && (
        <nav className="sub-nav" aria-label={activity.title}>
          <Link href={`/institution/activities/${encodeURIComponent(activity.id)}/roster`}>
            {t('inst.link.roster')}
          </Link>
        </nav>
      )}
      {activity?.rejectionReason && (
        <p className="alert">
          {t('status.REJECTED')}: {activity.rejectionReason}
        </p>
      )}
      {!context.data && context.error && (
        <QueryState
          result={context}
          retry={() => reexecuteContext({ requestPolicy: 'network-only' })}
        />
      )}
      {context.data && !providerId && <p role="alert">{t('inst.editor.noProvider')}</p>}
      {readOnly && <p className="notice">{t('inst.editor.readOnly')}</p>}
      <form ref={formRef} onSubmit={submit} noValidate aria-describedby="editor-outcome">
        <fieldset disabled={readOnly}>
          <legend>{t('inst.editor.details')}</legend>
          <div className="grid">
            <Field
              label={t('inst.field.code')}
              hint={t('inst.field.codeHint')}
              issue={issueOf('code')}
            >
              {(control) => (
                <input
                  {...control}
                  name="code"
                  value={draft.code}
                  // The code is fixed once the activity exists: certificates and exports cite it.
                  readOnly={activity !== null}
                  onChange={(event) => set('code', event.target.value)}
                  onBlur={() => setTouched((c) => new Set(c).add('code'))}
                />
              )}
            </Field>
            <Field label={t('inst.field.title')} issue={issueOf('title')}>
              {(control) => (
                <input
                  {...control}
                  name="title"
                  value={draft.title}
                  onChange={(event) => set('title', event.target.value)}
                  onBlur={() => setTouched((c) => new Set(c).add('title'))}
                />
              )}
            </Field>
            <Field label={t('inst.field.category')} issue={issueOf('category')}>
              {(control) => (
                <select
                  {...control}
                  name="category"
                  value={draft.category}
                  onChange={(event) => set('category', event.target.value)}
                >
                  <option value="">{t('inst.editor.chooseCategory')}</option>
                  {categories.map((category) => (
                    <option key={category.code} value={category.code}>
                      {locale === 'zh-CN' ? category.nameZh : category.nameEn}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('inst.field.level')} issue={issueOf('level')}>
              {(control) => (
                <select
                  {...control}
                  name="level"
                  value={draft.level}
                  onChange={(event) => set('level', event.target.value as Level)}
                >
                  {levels.map((level) => (
                    <option key={level} value={level}>
                      {t(`level.${level}` as MessageKey)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('inst.field.deliveryMode')} issue={issueOf('deliveryMode')}>
              {(control) => (
                <select
                  {...control}
                  name="deliveryMode"
                  value={draft.deliveryMode}
                  onChange={(event) => set('deliveryMode', event.target.value as DeliveryMode)}
                >
                  {deliveryModes.map((mode) => (
                    <option key={mode} value={mode}>
                      {t(`delivery.${mode}` as MessageKey)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('inst.field.startsOn')} issue={issueOf('startsOn')}>
              {(control) => (
                <input
                  {...control}
                  type="date"
                  name="startsOn"
                  value={draft.startsOn}
                  onChange={(event) => set('startsOn', event.target.value)}
                />
              )}
            </Field>
            <Field label={t('inst.field.endsOn')} issue={issueOf('endsOn')}>
              {(control) => (
                <input
                  {...control}
                  type="date"
                  name="endsOn"
                  value={draft.endsOn}
                  onChange={(event) => set('endsOn', event.target.value)}
                />
              )}
            </Field>
            <Field label={t('inst.field.creditHours')} issue={issueOf('creditHours')}>
              {(control) => (
                <input
                  {...control}
                  inputMode="decimal"
                  name="creditHours"
                  value={draft.creditHours}
                  onChange={(event) => set('creditHours', event.target.value)}
                />
              )}
            </Field>
            <Field
              label={t('inst.field.capacity')}
              hint={t('inst.field.capacityHint')}
              issue={issueOf('capacity')}
            >
              {(control) => (
                <input
                  {...control}
                  inputMode="numeric"
                  name="capacity"
                  value={draft.capacity}
                  onChange={(event) => set('capacity', event.target.value)}
                />
              )}
            </Field>
          </div>
          <Field label={t('inst.field.description')} issue={issueOf('description')}>
            {(control) => (
              <textarea
                {...control}
                name="description"
                rows={3}
                value={draft.description}
                onChange={(event) => set('description', event.target.value)}
              />
            )}
          </Field>
          <label className="inline">
            <input
              type="checkbox"
              name="selfEnrollment"
              checked={draft.selfEnrollment}
              onChange={(event) => set('selfEnrollment', event.target.checked)}
            />
            {t('inst.field.selfEnrollment')}
          </label>
        </fieldset>

        <fieldset disabled={readOnly}>
          <legend>{t('inst.editor.eligibility')}</legend>
          <CheckboxGroup
            legend={t('inst.field.stages')}
            options={stages}
            label={(stage) => t(`stage.${stage}` as MessageKey)}
            value={draft.stages}
            onChange={(value) => set('stages', value)}
            issue={issueOf('stages')}
          />
          <CheckboxGroup
            legend={t('inst.field.roleTags')}
            options={roleTags}
            label={(tag) => t(`roleTag.${tag}` as MessageKey)}
            value={draft.roleTags}
            onChange={(value) => set('roleTags', value)}
            issue={issueOf('roleTags')}
          />
          <div className="grid">
            <Field
              label={t('inst.field.subjects')}
              hint={t('inst.field.subjectsHint')}
              issue={issueOf('subjects')}
            >
              {(control) => (
                <input
                  {...control}
                  name="subjects"
                  value={draft.subjects}
                  onChange={(event) => set('subjects', event.target.value)}
                />
              )}
            </Field>
            <Field label={t('inst.field.locality')} issue={issueOf('locality')}>
              {(control) => (
                <select
                  {...control}
                  name="locality"
                  value={draft.locality}
                  onChange={(event) => set('locality', event.target.value as Locality | '')}
                >
                  <option value="">{t('inst.field.anyLocality')}</option>
                  {localities.map((value) => (
                    <option key={value} value={value}>
                      {t(`locality.${value}` as MessageKey)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('inst.field.minYears')} issue={issueOf('minYears')}>
              {(control) => (
                <input
                  {...control}
                  inputMode="numeric"
                  name="minYears"
                  value={draft.minYears}
                  onChange={(event) => set('minYears', event.target.value)}
                />
              )}
            </Field>
            <Field label={t('inst.field.maxYears')} issue={issueOf('maxYears')}>
              {(control) => (
                <input
                  {...control}
                  inputMode="numeric"
                  name="maxYears"
                  value={draft.maxYears}
                  onChange={(event) => set('maxYears', event.target.value)}
                />
              )}
            </Field>
          </div>
        </fieldset>

        <fieldset disabled={readOnly}>
          <legend>{t('inst.editor.completion')}</legend>
          <div className="grid">
            <Field label={t('inst.field.minAttendance')} issue={issueOf('minAttendance')}>
              {(control) => (
                <input
                  {...control}
                  inputMode="decimal"
                  name="minAttendance"
                  value={draft.minAttendance}
                  onChange={(event) => set('minAttendance', event.target.value)}
                />
              )}
            </Field>
            <Field label={t('inst.field.minAssignments')} issue={issueOf('minAssignments')}>
              {(control) => (
                <input
                  {...control}
                  inputMode="numeric"
                  name="minAssignments"
                  value={draft.minAssignments}
                  onChange={(event) => set('minAssignments', event.target.value)}
                />
              )}
            </Field>
            <Field label={t('inst.field.minAssessment')} issue={issueOf('minAssessment')}>
              {(control) => (
                <select
                  {...control}
                  name="minAssessment"
                  value={draft.minAssessment}
                  onChange={(event) => set('minAssessment', event.target.value as Assessment | '')}
                >
                  <option value="">{t('inst.field.noAssessment')}</option>
                  {assessments.map((value) => (
                    <option key={value} value={value}>
                      {t(`assessment.${value}` as MessageKey)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <label className="inline">
            <input
              type="checkbox"
              name="requireOnline"
              checked={draft.requireOnline}
              onChange={(event) => set('requireOnline', event.target.checked)}
            />
            {t('inst.field.requireOnline')}
          </label>
        </fieldset>

        {needsReason && (
          <Field
            label={t('inst.field.reason')}
            hint={t('inst.field.reasonHint')}
            issue={issueOf('reason')}
          >
            {(control) => (
              <textarea
                {...control}
                name="reason"
                rows={2}
                value={draft.reason}
                onChange={(event) => set('reason', event.target.value)}
              />
            )}
          </Field>
        )}

        <div id="editor-outcome">
          {attempted && visibleIssueCount > 0 && !outcome && (
            <Notice tone="error">{t('inst.editor.fixErrors', { count: visibleIssueCount })}</Notice>
          )}
          {outcome && <Notice tone={outcome.ok ? 'ok' : 'error'}>{outcome.text}</Notice>}
          {networkError && (
            <div role="alert" className="alert">
              <p>{t('common.networkError')}</p>
              <button type="button" onClick={() => void submit()}>
                {t('common.retry')}
              </button>
            </div>
          )}
        </div>
        {!readOnly && (
          <button type="submit" disabled={busy || !providerId}>
            {busy
              ? t('inst.editor.saving')
              : activity
                ? t('inst.editor.save')
                : t('inst.editor.create')}
          </button>
        )}
      </form>

      {activity ? (
        <>
          <SessionsEditor activity={activity} onChange={props.refetch} />
          <LifecycleActions activity={activity} />
        </>
      ) : (
        <p className="hint">{t('inst.sessions.saveFirst')}</p>
      )}
    </section>
  );
}
