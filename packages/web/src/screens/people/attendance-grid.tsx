import { useRef, useState, type KeyboardEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useSearch } from 'wouter';
import { graphql, type ResultOf } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { QueryState } from '../query-state';
import { FormAlert, outcomeOf } from './outcome';
import './people.css';

/** The activity of the session, when the link did not name it. */
const ActivityOfSessionQuery = graphql(`
  query ActivityOfSession($sessionId: ID!) {
    node(id: $sessionId) {
      id
      ... on Session {
        activity {
          id
        }
      }
    }
  }
`);

const SessionRosterQuery = graphql(`
  query SessionRoster($activityId: ID!, $sessionId: ID!) {
    activity: node(id: $activityId) {
      id
      ... on Activity {
        code
        title
        status
        enrollments(first: 100) {
          totalCount
          edges {
            node {
              id
              status
              attendanceLocked
              school {
                id
                name
              }
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
    session: node(id: $sessionId) {
      id
      ... on Session {
        sequence
        title
        startsAt
        endsAt
        attendance(first: 100) {
          edges {
            node {
              id
              status
              minutes
              source
              enrollment {
                id
              }
            }
          }
        }
      }
    }
  }
`);

const RecordAttendanceMutation = graphql(`
  mutation RecordAttendance($input: RecordAttendanceInput!) {
    recordAttendance(input: $input) {
      __typename
      ... on MutationRecordAttendanceSuccess {
        data {
          id
          status
          minutes
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

type Status = 'PRESENT' | 'LATE' | 'ABSENT' | 'EXCUSED';
const statuses: Status[] = ['PRESENT', 'LATE', 'ABSENT', 'EXCUSED'];
const statusByKey: Record<string, Status> = { p: 'PRESENT', l: 'LATE', a: 'ABSENT', e: 'EXCUSED' };
const inactive = new Set(['ELIGIBILITY_REJECTED', 'SUBSTITUTED', 'WITHDRAWN']);
const writable = new Set(['OPEN', 'IN_PROGRESS']);

interface Mark {
  status: Status | null;
  /** As typed: kept as text so a half-typed number is not lost or reformatted. */
  minutes: string;
}

type Roster = ResultOf<typeof SessionRosterQuery>;

export default function AttendanceGridScreen(props: {
  params: Record<string, string | undefined>;
}) {
  const { t } = useLocale();
  const sessionId = props.params.id ?? '';
  const linked = new URLSearchParams(useSearch()).get('activity');
  const [search, researchActivity] = useQuery({
    query: ActivityOfSessionQuery,
    variables: { sessionId },
    pause: !!linked,
  });
  const found = search.data?.node;
  const activityId = linked ?? (found && 'activity' in found ? found.activity.id : undefined);
  if (!activityId) {
    if (search.data) return <p>{t('people.grid.notFound')}</p>;
    return (
      <QueryState
        result={search}
        retry={() => researchActivity({ requestPolicy: 'network-only' })}
      />
    );
  }
  return <AttendanceGrid sessionId={sessionId} activityId={activityId} />;
}

function AttendanceGrid(props: { sessionId: string; activityId: string }) {
  const { t, formatDateTime, formatNumber } = useLocale();
  const [result, reexecute] = useQuery({
    query: SessionRosterQuery,
    variables: { activityId: props.activityId, sessionId: props.sessionId },
    requestPolicy: 'cache-and-network',
  });
  const [marks, setMarks] = useState<Record<string, Mark>>({});
  const [focus, setFocus] = useState({ row: 0, col: 0 });
  const cells = useRef(new Map<string, HTMLElement>());
  const [saving, record] = useMutation(RecordAttendanceMutation);
  const [sent, setSent] = useState<string[]>([]);
  const [savedCount, setSavedCount] = useState<number | null>(null);

  const activity =
    result.data?.activity && 'enrollments' in result.data.activity ? result.data.activity : null;
  const session =
    result.data?.session && 'attendance' in result.data.session ? result.data.session : null;
  if (!result.data) {
    return (
      <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
    );
  }
  if (!activity || !session) return <p>{t('people.grid.notFound')}</p>;

  const lengthMinutes = Math.max(
    0,
    Math.min(
      1440,
      Math.round((Date.parse(session.endsAt) - Date.parse(session.startsAt)) / 60_000),
    ),
  );
  const rows = rosterRows(activity, session);
  const open = writable.has(activity.status);
  const markOf = (id: string): Mark => marks[id] ?? rows.find((r) => r.id === id)!.saved;
  const editable = rows.filter((row) => open && !row.locked);

  function setMark(id: string, change: Partial<Mark>) {
    setSavedCount(null);
    setMarks((current) => ({ ...current, [id]: { ...markOf(id), ...current[id], ...change } }));
  }
  function setStatus(id: string, status: Status) {
    const before = markOf(id);
    const minutes =
      status === 'PRESENT'
        ? String(lengthMinutes)
        : status === 'LATE'
          ? before.status === 'LATE' ||
            (before.minutes !== '' && before.minutes !== '0' && before.status !== 'PRESENT')
            ? before.minutes
            : String(lengthMinutes)
          : '0';
    setMark(id, { status, minutes });
  }
  function markAllPresent() {
    for (const row of editable) setStatus(row.id, 'PRESENT');
  }

  function moveTo(row: number, col: number) {
    const next = {
      row: Math.max(0, Math.min(rows.length - 1, row)),
      col: Math.max(0, Math.min(1, col)),
    };
    setFocus(next);
    cells.current.get(`${next.row}:${next.col}`)?.focus();
  }
  function onKeyDown(event: KeyboardEvent, rowIndex: number, col: number) {
    const row = rows[rowIndex]!;
    const inInput = event.target instanceof HTMLInputElement;
    const key = event.key;
    if (key === 'ArrowDown' || key === 'ArrowUp') {
      event.preventDefault();
      moveTo(rowIndex + (key === 'ArrowDown' ? 1 : -1), col);
    } else if (key === 'ArrowRight' && col === 0) {
      event.preventDefault();
      moveTo(rowIndex, 1);
    } else if (key === 'ArrowLeft' && col === 1) {
      const input = event.target as HTMLInputElement;
      if (!inInput || (input.selectionStart === 0 && input.selectionEnd === 0)) {
        event.preventDefault();
        moveTo(rowIndex, 0);
      }
    } else if ((key === 'Home' || key === 'End') && (event.ctrlKey || !inInput)) {
      event.preventDefault();
      moveTo(key === 'Home' ? 0 : rows.length - 1, col);
    } else if (
      !event.ctrlKey &&
      !event.metaKey &&
      !event.altKey &&
      statusByKey[key.toLowerCase()]
    ) {
      event.preventDefault();
      if (!open || row.locked) return;
      setStatus(row.id, statusByKey[key.toLowerCase()]!);
      // Marking walks down the roster, so a class is marked with one key per teacher.
      if (col === 0) moveTo(rowIndex + 1, 0);
    } else if ((key === ' ' || key === 'Enter') && col === 0) {
      event.preventDefault();
      if (!open || row.locked) return;
      const current = markOf(row.id).status;
      setStatus(row.id, statuses[(current ? statuses.indexOf(current) + 1 : 0) % statuses.length]!);
    }
  }

  const entries = editable.flatMap((row) => {
    const mark = markOf(row.id);
    return mark.status
      ? [
          {
            enrollmentId: row.id,
            status: mark.status,
            minutes: Number(mark.minutes === '' ? NaN : mark.minutes),
          },
        ]
      : [];
  });
  async function save() {
    setSent(entries.map((e) => e.enrollmentId));
    const answer = await record({ input: { sessionId: session!.id, entries } });
    if (answer.data?.recordAttendance.__typename === 'MutationRecordAttendanceSuccess') {
      setSavedCount(answer.data.recordAttendance.data.length);
      setMarks({});
      reexecute({ requestPolicy: 'network-only' });
    }
  }
  const outcome = outcomeOf(saving.data?.recordAttendance, saving.error);
  const issueOf = (id: string, field: string) => {
    const index = sent.indexOf(id);
    return index < 0 ? undefined : outcome?.fields[`entries.${index}.${field}`];
  };
  const dirty = Object.keys(marks).length > 0;

  return (
    <section className="people">
      <h1>
        {t('people.grid.title', { n: session.sequence })}: {session.title}
      </h1>
      <p className="hint">
        {activity.title} · {formatDateTime(session.startsAt)} – {formatDateTime(session.endsAt)} ·{' '}
        {t('people.grid.length', { minutes: formatNumber(lengthMinutes) })}
      </p>
      <p className="hint">
        <Link href={`/sessions/${encodeURIComponent(session.id)}/checkin`}>
          {t('people.sessions.showCode')}
        </Link>
      </p>
      {!open && (
        <p className="notice">
          {t('people.grid.closed', { status: t(`status.${activity.status}`) })}
        </p>
      )}
      <p id="grid-help" className="hint">
        {t('people.grid.help')}
      </p>
      <div className="toolbar">
        <button type="button" onClick={markAllPresent} disabled={editable.length === 0}>
          {t('people.grid.allPresent')}
        </button>
        <button
          type="button"
          onClick={() => void save()}
          disabled={saving.fetching || entries.length === 0 || !dirty}
        >
          {saving.fetching ? t('people.grid.saving') : t('people.grid.save')}
        </button>
        <span aria-live="polite" className="count">
          {savedCount !== null
            ? t('people.grid.saved', { count: formatNumber(savedCount) })
            : dirty
              ? t('people.grid.unsaved', { count: formatNumber(Object.keys(marks).length) })
              : ''}
        </span>
      </div>
      <FormAlert outcome={outcome} error={saving.error} retry={() => void save()} />
      <table
        className="list grid"
        role="grid"
        aria-describedby="grid-help"
        aria-label={t('people.grid.label')}
      >
        <thead>
          <tr>
            <th scope="col">{t('people.grid.teacher')}</th>
            <th scope="col">{t('people.grid.status')}</th>
            <th scope="col">{t('people.grid.minutes')}</th>
            <th scope="col">{t('people.grid.school')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, rowIndex) => {
            const mark = markOf(row.id);
            const readOnly = !open || row.locked;
            const minutesIssue = issueOf(row.id, 'minutes');
            const rowIssue = issueOf(row.id, 'enrollmentId');
            const statusText = mark.status
              ? t(`people.attendance.${mark.status}`)
              : t('people.grid.unmarked');
            return (
              <tr
                key={row.id}
                data-enrollment={row.id}
                className={readOnly ? 'locked' : undefined}
                aria-rowindex={rowIndex + 2}
              >
                <th scope="row">
                  {row.name}
                  <div className="code">{row.nationalId}</div>
                </th>
                <td
                  role="gridcell"
                  tabIndex={focus.row === rowIndex && focus.col === 0 ? 0 : -1}
                  ref={(el) =>
                    void (el
                      ? cells.current.set(`${rowIndex}:0`, el)
                      : cells.current.delete(`${rowIndex}:0`))
                  }
                  onFocus={() => setFocus({ row: rowIndex, col: 0 })}
                  onKeyDown={(event) => onKeyDown(event, rowIndex, 0)}
                  aria-readonly={readOnly ? true : undefined}
                  aria-label={t('people.grid.statusOf', { name: row.name, status: statusText })}
                  className={`mark mark-${(mark.status ?? 'none').toLowerCase()}`}
                  data-status={mark.status ?? ''}
                >
                  {statusText}
                  {row.locked && <span className="lock"> · {t('people.grid.locked')}</span>}
                  {rowIssue && <div className="field-issue">{rowIssue}</div>}
                </td>
                <td role="gridcell">
                  {readOnly ? (
                    <span
                      tabIndex={focus.row === rowIndex && focus.col === 1 ? 0 : -1}
                      ref={(el) =>
                        void (el
                          ? cells.current.set(`${rowIndex}:1`, el)
                          : cells.current.delete(`${rowIndex}:1`))
                      }
                      onFocus={() => setFocus({ row: rowIndex, col: 1 })}
                      onKeyDown={(event) => onKeyDown(event, rowIndex, 1)}
                    >
                      {mark.minutes === '' ? '—' : formatNumber(Number(mark.minutes))}
                    </span>
                  ) : (
                    <>
                      <input
                        className="minutes"
                        inputMode="numeric"
                        pattern="[0-9]*"
                        size={5}
                        tabIndex={focus.row === rowIndex && focus.col === 1 ? 0 : -1}
                        ref={(el) =>
                          void (el
                            ? cells.current.set(`${rowIndex}:1`, el)
                            : cells.current.delete(`${rowIndex}:1`))
                        }
                        onFocus={() => setFocus({ row: rowIndex, col: 1 })}
                        onKeyDown={(event) => onKeyDown(event, rowIndex, 1)}
                        aria-label={t('people.grid.minutesOf', { name: row.name })}
                        value={mark.minutes}
                        onChange={(event) =>
                          setMark(row.id, { minutes: event.target.value.replace(/[^0-9]/g, '') })
                        }
                        aria-invalid={minutesIssue ? true : undefined}
                        aria-describedby={minutesIssue ? `minutes-issue-${rowIndex}` : undefined}
                      />
                      {minutesIssue && (
                        <p id={`minutes-issue-${rowIndex}`} className="field-issue">
                          {minutesIssue}
                        </p>
                      )}
                    </>
                  )}
                </td>
                <td role="gridcell">{row.school}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {activity.enrollments.totalCount > activity.enrollments.edges.length && (
        <p className="notice">
          {t('people.grid.truncated', { count: formatNumber(activity.enrollments.edges.length) })}
        </p>
      )}
    </section>
  );
}

interface Row {
  id: string;
  name: string;
  nationalId: string;
  school: string;
  /** Confirmed by the teacher's school or the office: changes go through an amendment. */
  locked: boolean;
  saved: Mark;
}

function rosterRows(
  activity: Extract<NonNullable<Roster['activity']>, { enrollments: unknown }>,
  session: Extract<NonNullable<Roster['session']>, { attendance: unknown }>,
): Row[] {
  const recorded = new Map(
    session.attendance.edges.flatMap(({ node }) =>
      node.enrollment ? [[node.enrollment.id, node] as const] : [],
    ),
  );
  return activity.enrollments.edges
    .map(({ node }) => node)
    .filter((enrollment) => !inactive.has(enrollment.status))
    .map((enrollment) => {
      const record = recorded.get(enrollment.id);
      return {
        id: enrollment.id,
        name: enrollment.teacher?.name ?? '—',
        nationalId: enrollment.teacher?.nationalId ?? '',
        school: enrollment.school.name,
        // The gateway's own rule (a standing school or office confirmation), so the grid never
        // offers a row the write would refuse.
        locked: enrollment.attendanceLocked,
        saved: record
          ? { status: record.status, minutes: String(record.minutes) }
          : { status: null, minutes: '' },
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}
