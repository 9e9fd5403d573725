import { useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { QueryState } from '../query-state';
import './people.css';

const SchoolTeachersProgressQuery = graphql(`
  query SchoolTeachersProgress($search: String) {
    teachers(first: 100, filter: { search: $search }) {
      totalCount
      edges {
        node {
          id
          name
          nationalId
          stage
          subjects
          progress {
            total {
              required
              counted
              remaining
              status
            }
            categories {
              code
              status
            }
          }
        }
      }
    }
  }
`);

/** The school's own staff (the gateway shows a school administrator no one else). */
export default function SchoolTeachersScreen() {
  const { t, formatNumber } = useLocale();
  const [draft, setDraft] = useState('');
  const [behindOnly, setBehindOnly] = useState(false);
  const search = draft.trim();
  const [result, reexecute] = useQuery({
    query: SchoolTeachersProgressQuery,
    variables: { search: search || null },
  });
  const connection = result.data?.teachers;
  const teachers = (connection?.edges ?? [])
    .map(({ node }) => node)
    .filter((teacher) => !behindOnly || teacher.progress?.total.status === 'BEHIND');
  const behind = (connection?.edges ?? []).filter(
    ({ node }) => node.progress?.total.status === 'BEHIND',
  ).length;
  return (
    <section className="people">
      <h1>{t('people.teachers.title')}</h1>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label>
          <span>{t('people.teachers.search')}</span>
          <input type="search" value={draft} onChange={(event) => setDraft(event.target.value)} />
        </label>
        <label className="choice">
          <input
            type="checkbox"
            checked={behindOnly}
            onChange={(event) => setBehindOnly(event.target.checked)}
          />
          {t('people.teachers.behindOnly')}
        </label>
      </form>
      {!connection ? (
        <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      ) : (
        <>
          <p className="count" aria-live="polite">
            {t('people.teachers.count', {
              count: formatNumber(connection.totalCount),
              behind: formatNumber(behind),
            })}
          </p>
          <table className="list">
            <thead>
              <tr>
                <th scope="col">{t('people.grid.teacher')}</th>
                <th scope="col">{t('people.teachers.subjects')}</th>
                <th scope="col" className="number">
                  {t('people.progress.counted')}
                </th>
                <th scope="col" className="number">
                  {t('people.progress.required')}
                </th>
                <th scope="col" className="number">
                  {t('people.progress.remaining')}
                </th>
                <th scope="col">{t('people.teachers.status')}</th>
              </tr>
            </thead>
            <tbody>
              {teachers.map((teacher) => {
                const total = teacher.progress?.total;
                const lagging =
                  teacher.progress?.categories.filter((c) => c.status === 'BEHIND').length ?? 0;
                return (
                  <tr key={teacher.id} data-teacher={teacher.id}>
                    <th scope="row">
                      {teacher.name}
                      <div className="code">{teacher.nationalId}</div>
                    </th>
                    <td>{teacher.subjects.join('、')}</td>
                    <td className="number">{total ? formatNumber(total.counted) : '—'}</td>
                    <td className="number">{total ? formatNumber(total.required) : '—'}</td>
                    <td className="number">{total ? formatNumber(total.remaining) : '—'}</td>
                    <td>
                      {total ? (
                        <span className={`status status-progress-${total.status.toLowerCase()}`}>
                          {t(`people.progress.${total.status}`)}
                        </span>
                      ) : (
                        t('people.teachers.noPolicy')
                      )}
                      {lagging > 0 && (
                        <div className="hint">
                          {t('people.teachers.categoriesBehind', { count: lagging })}
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {connection.totalCount > connection.edges.length && (
            <p className="notice">
              {t('people.teachers.truncated', { count: formatNumber(connection.edges.length) })}
            </p>
          )}
          {result.error && (
            <QueryState
              result={result}
              retry={() => reexecute({ requestPolicy: 'network-only' })}
            />
          )}
        </>
      )}
    </section>
  );
}
