import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql, type ResultOf } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { Notice, userErrorMessage } from './form';

const PreviewMutation = graphql(`
  mutation PreviewAttendanceImport($input: PreviewAttendanceImportInput!) {
    previewAttendanceImport(input: $input) {
      __typename
      ... on MutationPreviewAttendanceImportSuccess {
        data {
          clean
          rowCount
          validRowCount
          problems {
            code
            line
            column
            message
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

const CommitMutation = graphql(`
  mutation CommitAttendanceImport($input: CommitAttendanceImportInput!) {
    commitAttendanceImport(input: $input) {
      __typename
      ... on MutationCommitAttendanceImportSuccess {
        data {
          rowCount
          replayed
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

/** The file's bytes as base64: the API checks the encoding itself, so nothing is decoded here. */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * A random key per chosen file. crypto.randomUUID exists only in secure contexts (HTTPS or
 * localhost); getRandomValues exists everywhere, so a gateway served over plain HTTP works too.
 */
function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

type Preview = Extract<
  ResultOf<typeof PreviewMutation>['previewAttendanceImport'],
  { __typename: 'MutationPreviewAttendanceImportSuccess' }
>['data'];

/**
 * CSV attendance import in two steps: check the file and list every bad row, then write it —
 * only a clean file can be written, all rows or none. One idempotency key per chosen file, so
 * retrying a commit after a lost answer replays the stored result instead of writing twice.
 */
export function AttendanceImport(props: { activityId: string; onCommitted?(): void }) {
  const { t, formatNumber } = useLocale();
  const fileId = useId();
  const [file, setFile] = useState<{ csv: string; key: string; name: string } | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [previewed, runPreview] = useMutation(PreviewMutation);
  const [committed, runCommit] = useMutation(CommitMutation);

  async function choose(chosen: File | undefined) {
    setPreview(null);
    setMessage(null);
    setFile(
      chosen ? { csv: await base64Of(chosen), key: idempotencyKey(), name: chosen.name } : null,
    );
  }

  async function check(event?: FormEvent) {
    event?.preventDefault();
    setMessage(null);
    if (!file) {
      setMessage({ ok: false, text: t('inst.import.chooseFile') });
      return;
    }
    const answer = await runPreview({ input: { activityId: props.activityId, csv: file.csv } });
    const payload = answer.data?.previewAttendanceImport;
    if (!payload) return;
    if (payload.__typename === 'MutationPreviewAttendanceImportSuccess') {
      setPreview(payload.data);
      return;
    }
    const issues = payload.__typename === 'ValidationError' ? payload.issues : [];
    setMessage({
      ok: false,
      text: [userErrorMessage(payload), ...issues.map((i) => i.message)].filter(Boolean).join(' '),
    });
  }

  async function commit() {
    if (!file) return;
    setMessage(null);
    const answer = await runCommit({
      input: { activityId: props.activityId, csv: file.csv, idempotencyKey: file.key },
    });
    const payload = answer.data?.commitAttendanceImport;
    if (!payload) return;
    if (payload.__typename === 'MutationCommitAttendanceImportSuccess') {
      setMessage({
        ok: true,
        text: payload.data.replayed
          ? t('inst.import.replayed')
          : t('inst.import.done', { count: formatNumber(payload.data.rowCount) }),
      });
      setPreview(null);
      props.onCommitted?.();
      return;
    }
    const issues = payload.__typename === 'ValidationError' ? payload.issues : [];
    setMessage({
      ok: false,
      text: [userErrorMessage(payload), ...issues.map((i) => i.message)].filter(Boolean).join(' '),
    });
  }

  const networkError = previewed.error?.networkError ?? committed.error?.networkError;
  return (
    <section className="panel" aria-labelledby={`${fileId}-heading`}>
      <h2 id={`${fileId}-heading`}>{t('inst.import.title')}</h2>
      <p className="hint">{t('inst.import.help')}</p>
      <form onSubmit={check} className="import-form">
        <label htmlFor={fileId}>{t('inst.import.file')}</label>
        <input
          id={fileId}
          type="file"
          accept=".csv,text/csv"
          onChange={(event) => void choose(event.target.files?.[0])}
        />
        <button type="submit" disabled={previewed.fetching}>
          {previewed.fetching ? t('inst.import.checking') : t('inst.import.preview')}
        </button>
      </form>
      {message && <Notice tone={message.ok ? 'ok' : 'error'}>{message.text}</Notice>}
      {networkError && (
        <div role="alert" className="alert">
          <p>{t('common.networkError')}</p>
          <button type="button" onClick={() => void (preview?.clean ? commit() : check())}>
            {t('common.retry')}
          </button>
        </div>
      )}
      {preview && (
        <div className="import-preview">
          <p role="status">
            {preview.clean
              ? t('inst.import.clean', { count: formatNumber(preview.rowCount) })
              : t('inst.import.dirty', {
                  valid: formatNumber(preview.validRowCount),
                  count: formatNumber(preview.rowCount),
                })}
          </p>
          {preview.problems.length > 0 && (
            <table className="list problems">
              <caption className="visually-hidden">{file?.name}</caption>
              <thead>
                <tr>
                  <th scope="col" className="number">
                    {t('inst.import.line')}
                  </th>
                  <th scope="col">{t('inst.import.column')}</th>
                  <th scope="col">{t('inst.import.problem')}</th>
                </tr>
              </thead>
              <tbody>
                {preview.problems.map((problem, index) => (
                  <tr key={index}>
                    <td className="number">{problem.line ?? '—'}</td>
                    <td className="code">{problem.column ?? '—'}</td>
                    <td>{problem.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {preview.clean && (
            <button type="button" disabled={committed.fetching} onClick={() => void commit()}>
              {committed.fetching
                ? t('inst.import.committing')
                : t('inst.import.commit', { count: formatNumber(preview.rowCount) })}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
