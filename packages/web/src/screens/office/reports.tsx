import type { ReactNode } from 'react';
import { useQuery } from 'urql';
import { useLocation, useSearch } from 'wouter';
import { graphql } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';
import { QueryState } from '../query-state';
import { BarChart, LineChart } from './charts';
import '../institution/institution.css';
import './office.css';

const ReportQuery = graphql(`
  query OfficeReport($from: Date!, $to: Date!) {
    creditReport(from: $from, to: $to) {
      from
      to
      hoursByCategory {
        hours
        teachers
        category {
          code
          nameEn
          nameZh
        }
      }
      participationByMonth {
        month
        enrollments
        teachers
      }
      activityFigures(by: REGION) {
        key
        label
        participants
        completed
        decided
        completionRate
      }
    }
  }
`);

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const isDay = (text: string | null): text is string => !!text && /^\d{4}-\d{2}-\d{2}$/.test(text);

/** The last twelve months up to today, unless the URL names a period. */
function defaultPeriod(): { from: string; to: string } {
  const to = new Date();
  const from = new Date(to);
  from.setUTCFullYear(from.getUTCFullYear() - 1);
  return { from: isoDay(from), to: isoDay(to) };
}

/**
 * The office's dashboard: credit hours by category, completion by region (the district, or
 * the city for city-level activities) and participants per month, for a period kept in the
 * URL, with links to the gateway's CSV exports of the same figures.
 */
export default function ReportsScreen() {
  const { t, locale, formatNumber } = useLocale();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(useSearch());
  const fallback = defaultPeriod();
  const from = isDay(params.get('from')) ? params.get('from')! : fallback.from;
  const to = isDay(params.get('to')) ? params.get('to')! : fallback.to;
  const badPeriod = to < from;
  const [result, reexecute] = useQuery({
    query: ReportQuery,
    variables: { from, to },
    pause: badPeriod,
  });
  const report = result.data?.creditReport;
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const monthFormat = new Intl.DateTimeFormat(locale, {
    year: '2-digit',
    month: 'short',
    timeZone: 'UTC',
  });

  function setPeriod(change: { from?: string; to?: string }) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(change)) if (value) next.set(key, value);
    navigate(`/office/reports?${next.toString()}`, { replace: true });
  }

  const csv = (path: string, extra: Record<string, string>) =>
    `${path}?${new URLSearchParams({ ...extra }).toString()}`;

  const categoryBars = (report?.hoursByCategory ?? [])
    .slice()
    .sort((a, b) => b.hours - a.hours)
    .map((row) => ({
      key: row.category.code,
      label: locale === 'zh-CN' ? row.category.nameZh : row.category.nameEn,
      value: row.hours,
      display: formatNumber(row.hours),
    }));
  const regionBars = (report?.activityFigures ?? [])
    .filter((row) => row.decided > 0)
    .sort((a, b) => (b.completionRate ?? 0) - (a.completionRate ?? 0))
    .map((row) => ({
      key: row.key,
      label: row.label,
      value: row.completionRate ?? 0,
      display: percent.format(row.completionRate ?? 0),
    }));
  const months = everyMonth(report?.participationByMonth ?? []);
  const monthLabel = (month: string) =>
    monthFormat.format(new Date(`${month.slice(0, 10)}T00:00:00Z`));

  return (
    <section className="reports">
      <h1>{t('office.reports.title')}</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <fieldset className="period">
          <legend>{t('office.reports.period')}</legend>
          <label>
            <span>{t('office.reports.from')}</span>
            <input
              type="date"
              value={from}
              onChange={(event) => setPeriod({ from: event.target.value })}
            />
          </label>
          <label>
            <span>{t('office.reports.to')}</span>
            <input
              type="date"
              value={to}
              aria-invalid={badPeriod || undefined}
              aria-describedby={badPeriod ? 'period-issue' : undefined}
              onChange={(event) => setPeriod({ to: event.target.value })}
            />
          </label>
          {badPeriod && (
            <p id="period-issue" className="field-issue">
              {t('office.reports.badPeriod')}
            </p>
          )}
        </fieldset>
      </form>

      <section className="panel" aria-labelledby="exports-heading">
        <h2 id="exports-heading">{t('office.reports.export')}</h2>
        <ul className="exports">
          <li>
            <a href={csv('/reports/activities.csv', { from, to, by: 'region' })} download>
              {t('office.reports.exportByRegion')}
            </a>
          </li>
          <li>
            <a href={csv('/reports/activities.csv', { from, to, by: 'category' })} download>
              {t('office.reports.exportByCategory')}
            </a>
          </li>
          <li>
            <a href={csv('/reports/activities.csv', { from, to, by: 'month' })} download>
              {t('office.reports.exportByMonth')}
            </a>
          </li>
          <li>
            <a href={csv('/reports/teachers-behind.csv', { asOf: to })} download>
              {t('office.reports.exportBehind')}
            </a>
          </li>
        </ul>
      </section>

      {!report ? (
        !badPeriod && (
          <QueryState result={result} retry={() => reexecute({ requestPolicy: 'network-only' })} />
        )
      ) : (
        <div className="charts">
          <ChartPanel
            id="hours"
            title={t('office.reports.hoursByCategory')}
            empty={categoryBars.length === 0}
          >
            <BarChart title={t('office.reports.hoursByCategory')} bars={categoryBars} />
            <FigureTable
              headers={[
                t('office.reports.category'),
                t('office.reports.hours'),
                t('office.reports.teachers'),
              ]}
              rows={(report.hoursByCategory ?? []).map((row) => [
                locale === 'zh-CN' ? row.category.nameZh : row.category.nameEn,
                formatNumber(row.hours),
                formatNumber(row.teachers),
              ])}
            />
          </ChartPanel>
          <ChartPanel
            id="completion"
            title={t('office.reports.completionByDistrict')}
            empty={regionBars.length === 0}
          >
            <BarChart title={t('office.reports.completionByDistrict')} bars={regionBars} max={1} />
            <FigureTable
              headers={[
                t('office.reports.district'),
                t('office.reports.completionRate'),
                t('office.reports.completed'),
              ]}
              rows={report.activityFigures.map((row) => [
                row.label,
                row.completionRate == null ? '—' : percent.format(row.completionRate),
                `${formatNumber(row.completed)} / ${formatNumber(row.decided)}`,
              ])}
            />
          </ChartPanel>
          <ChartPanel
            id="participants"
            title={t('office.reports.participantsOverTime')}
            empty={months.length === 0}
          >
            <LineChart
              title={t('office.reports.participantsOverTime')}
              labels={months.map((m) => monthLabel(m.month))}
              series={[
                {
                  name: t('office.reports.enrollments'),
                  values: months.map((m) => m.enrollments),
                  className: 'series-a',
                },
                {
                  name: t('office.reports.teachers'),
                  values: months.map((m) => m.teachers),
                  className: 'series-b',
                },
              ]}
              formatNumber={formatNumber}
            />
            <FigureTable
              headers={[
                t('office.reports.month'),
                t('office.reports.enrollments'),
                t('office.reports.teachers'),
              ]}
              rows={months.map((m) => [
                monthLabel(m.month),
                formatNumber(m.enrollments),
                formatNumber(m.teachers),
              ])}
            />
          </ChartPanel>
        </div>
      )}
    </section>
  );
}

/**
 * The API lists only months with participation; a time axis needs the empty ones too, or
 * January and May would sit side by side. Months are ISO dates (the first of the month).
 */
function everyMonth(
  months: readonly { month: string; enrollments: number; teachers: number }[],
): { month: string; enrollments: number; teachers: number }[] {
  if (months.length === 0) return [];
  const byMonth = new Map(months.map((m) => [m.month.slice(0, 7), m]));
  const keys = [...byMonth.keys()].sort();
  const [first, last] = [keys[0]!, keys.at(-1)!];
  const filled = [];
  for (let [year, month] = first.split('-').map(Number) as [number, number]; ;) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    filled.push(byMonth.get(key) ?? { month: `${key}-01`, enrollments: 0, teachers: 0 });
    if (key >= last) break;
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
  return filled;
}

function ChartPanel(props: { id: string; title: string; empty: boolean; children: ReactNode }) {
  const { t } = useLocale();
  return (
    <section className="panel chart-panel" aria-labelledby={`${props.id}-heading`}>
      <h2 id={`${props.id}-heading`}>{props.title}</h2>
      {props.empty ? <p>{t('office.reports.noData')}</p> : props.children}
    </section>
  );
}

function FigureTable(props: { headers: string[]; rows: (string | number)[][] }) {
  const { t } = useLocale();
  return (
    <details>
      <summary>{t('office.reports.table')}</summary>
      <table className="list">
        <thead>
          <tr>
            {props.headers.map((header, i) => (
              <th key={header} scope="col" className={i > 0 ? 'number' : undefined}>
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, i) => (
                <td key={i} className={i > 0 ? 'number' : undefined}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
