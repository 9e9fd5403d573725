import { useId } from 'react';

/*
 * Plain SVG charts: a few hundred bytes of code instead of a chart library, so the reports
 * chunk stays small. Each chart is an image with a text title for assistive technology; the
 * figures themselves are also offered as a table beside it (see ChartFigure).
 */

export interface Bar {
  key: string;
  label: string;
  value: number;
  /** The value as shown, already formatted for the locale (e.g. "72.5 %"). */
  display: string;
}

const barHeight = 26;
const labelWidth = 230;
const width = 640;

/** Horizontal bars, longest first as given; `max` fixes the scale (e.g. 1 for rates). */
export function BarChart(props: { title: string; bars: readonly Bar[]; max?: number }) {
  const titleId = useId();
  const max = props.max ?? Math.max(...props.bars.map((bar) => bar.value), 0);
  const plot = width - labelWidth - 80;
  const height = props.bars.length * barHeight + 8;
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-labelledby={titleId}
      preserveAspectRatio="xMinYMin meet"
    >
      <title id={titleId}>{props.title}</title>
      {props.bars.map((bar, index) => {
        const y = index * barHeight + 4;
        const length = max > 0 ? Math.max((bar.value / max) * plot, bar.value > 0 ? 2 : 0) : 0;
        return (
          <g key={bar.key}>
            <text
              x={labelWidth - 8}
              y={y + barHeight / 2}
              textAnchor="end"
              dominantBaseline="middle"
            >
              {shorten(bar.label, 22)}
            </text>
            <rect
              x={labelWidth}
              y={y + 3}
              width={length}
              height={barHeight - 8}
              rx={3}
              className="bar"
            />
            <text x={labelWidth + length + 6} y={y + barHeight / 2} dominantBaseline="middle">
              {bar.display}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export interface Series {
  name: string;
  /** One value per point of `labels`. */
  values: readonly number[];
  className: string;
}

/** Lines over time: one point per label (month), a shared vertical scale starting at 0. */
export function LineChart(props: {
  title: string;
  labels: readonly string[];
  series: readonly Series[];
  formatNumber(value: number): string;
}) {
  const titleId = useId();
  const height = 260;
  const left = 48;
  // Room for half of the last month's label, centred on the last point.
  const right = 32;
  const top = 16;
  const bottom = 40;
  const count = props.labels.length;
  const max = Math.max(1, ...props.series.flatMap((s) => s.values));
  const x = (i: number) => left + (count <= 1 ? 0 : (i / (count - 1)) * (width - left - right));
  const y = (v: number) => top + (1 - v / max) * (height - top - bottom);
  const ticks = [0, max / 2, max];
  // Every label when few, else every other or third, so month names never overlap.
  const step = Math.ceil(count / 8);
  return (
    <svg className="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={titleId}>
      <title id={titleId}>{props.title}</title>
      {ticks.map((tick) => (
        <g key={tick}>
          <line x1={left} x2={width - right} y1={y(tick)} y2={y(tick)} className="grid-line" />
          <text x={left - 6} y={y(tick)} textAnchor="end" dominantBaseline="middle">
            {props.formatNumber(Math.round(tick))}
          </text>
        </g>
      ))}
      {props.labels.map((label, i) =>
        i % step === 0 ? (
          <text key={label} x={x(i)} y={height - bottom + 18} textAnchor="middle">
            {label}
          </text>
        ) : null,
      )}
      {props.series.map((series) => (
        <g key={series.name} className={series.className}>
          <polyline fill="none" points={series.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')} />
          {series.values.map((v, i) => (
            <circle key={i} cx={x(i)} cy={y(v)} r={3} />
          ))}
        </g>
      ))}
      {props.series.map((series, i) => (
        <g
          key={series.name}
          className={series.className}
          transform={`translate(${left + i * 150}, ${height - 8})`}
        >
          <line x1={0} x2={18} y1={-4} y2={-4} />
          <text x={24} y={0}>
            {series.name}
          </text>
        </g>
      ))}
    </svg>
  );
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
