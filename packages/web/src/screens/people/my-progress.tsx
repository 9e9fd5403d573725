import { useQuery } from 'urql';
import { graphql } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { QueryState } from '../query-state';
import { ProgressBar } from './progress-charts';
import './people.css';

const MyProgressQuery = graphql(`
  query MyProgress {
    me {
      teacher {
        id
        name
        progress {
          asOf
          cycleDays
          elapsedDays
          plannedHours
          policy {
            id
            name
            cycleStartsOn
            cycleEndsOn
          }
          total {
            required
            earned
            counted
            remaining
            status
          }
          categories {
            code
            required
            earned
            counted
            overCap
            cap
            remaining
            status
            category {
              code
              nameEn
              nameZh
            }
          }
          uncredited {
            hours
            pending
            activity {
              id
              title
            }
            reasons {
              code
              message
            }
          }
        }
      }
    }
  }
`);

/** A teacher's own progress toward the requirement of the cycle that binds them today. */
export default function MyProgressScreen() {
  const { t, locale, formatDate, formatNumber } = useLocale();
  const [result, reexecute] = useQuery({ query: MyProgressQuery });
  const teacher = result.data?.me?.teacher;
  if (!result.data) {
    return (
      <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
    );
  }
  const progress = teacher?.progress;
  // Category bars share one scale (the cycle's total), so a 5-hour category looks small
  // beside a 120-hour minimum instead of filling its own bar.
  const categoryScale = Math.max(
    progress?.total.required ?? 0,
    ...(progress?.categories ?? []).map((line) => Math.max(line.required, line.counted)),
  );
  return (
    <section className="people">
      <h1>{t('people.progress.title')}</h1>
      {!progress ? (
        <p>{t('people.progress.noPolicy')}</p>
      ) : (
        <>
          <p className="hint">
            {t('people.progress.cycle', {
              name: progress.policy.name,
              from: formatDate(progress.policy.cycleStartsOn),
              to: formatDate(progress.policy.cycleEndsOn),
              asOf: formatDate(progress.asOf),
            })}
          </p>
          <div className="panel" data-testid="progress-total">
            <ProgressBar
              label={t('people.progress.total')}
              counted={progress.total.counted}
              required={progress.total.required}
              planned={progress.plannedHours}
              status={progress.total.status}
              pace={progress.cycleDays > 0 ? progress.elapsedDays / progress.cycleDays : undefined}
            />
            <dl className="facts">
              <dt>{t('people.progress.counted')}</dt>
              <dd data-testid="total-counted">{formatNumber(progress.total.counted)}</dd>
              <dt>{t('people.progress.required')}</dt>
              <dd data-testid="total-required">{formatNumber(progress.total.required)}</dd>
              <dt>{t('people.progress.remaining')}</dt>
              <dd data-testid="total-remaining">{formatNumber(progress.total.remaining)}</dd>
              <dt>{t('people.progress.planned')}</dt>
              <dd>{formatNumber(progress.plannedHours)}</dd>
            </dl>
            <p className="legend" aria-hidden="true">
              <span className="swatch swatch-fill" /> {t('people.progress.legendCounted')}{' '}
              <span className="swatch swatch-planned" /> {t('people.progress.legendPlanned')}{' '}
              <span className="swatch swatch-target" /> {t('people.progress.legendRequired')}{' '}
              <span className="swatch swatch-pace" /> {t('people.progress.legendPace')}
            </p>
          </div>
          <h2>{t('people.progress.byCategory')}</h2>
          <ul className="plain-list" data-testid="progress-categories">
            {progress.categories.map((line) => (
              <li key={line.code} data-category={line.code}>
                <ProgressBar
                  label={
                    line.category
                      ? locale === 'zh-CN'
                        ? line.category.nameZh
                        : line.category.nameEn
                      : line.code
                  }
                  counted={line.counted}
                  required={line.required}
                  status={line.status}
                  scale={categoryScale}
                />
                {line.overCap > 0 && line.cap !== null && (
                  <p className="hint">
                    {t('people.progress.overCap', {
                      over: formatNumber(line.overCap),
                      cap: formatNumber(line.cap),
                    })}
                  </p>
                )}
              </li>
            ))}
          </ul>
          {progress.uncredited.length > 0 && (
            <>
              <h2>{t('people.progress.uncredited')}</h2>
              <table className="list">
                <thead>
                  <tr>
                    <th scope="col">{t('people.common.activity')}</th>
                    <th scope="col" className="number">
                      {t('people.common.hours')}
                    </th>
                    <th scope="col">{t('people.progress.why')}</th>
                  </tr>
                </thead>
                <tbody>
                  {progress.uncredited.map((line, index) => (
                    <tr key={line.activity?.id ?? index}>
                      <td>{line.activity?.title ?? '—'}</td>
                      <td className="number">{formatNumber(line.hours)}</td>
                      <td>{line.reasons.map((reason) => reason.message).join(' ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
    </section>
  );
}
