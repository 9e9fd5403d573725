import { useLocale } from '../../i18n/locale';

/**
 * Plain SVG bars: no chart library for a handful of rectangles. Each chart also says its
 * numbers in text (the SVG is decorative for screen readers, which read the figures instead).
 */
export function ProgressBar(props: {
  label: string;
  counted: number;
  required: number;
  /** Hours of enrollments under way that may still credit. */
  planned?: number;
  status: 'BEHIND' | 'ON_TRACK' | 'MET';
  /** Share of the cycle already passed, 0 to 1: where an even pace would be today. */
  pace?: number;
  /** Hours the full width stands for, so bars side by side compare; defaults to this bar's own. */
  scale?: number;
}) {
  const { t, formatNumber } = useLocale();
  const { counted, required, planned = 0, status, pace } = props;
  // Scale to the larger of requirement and what was counted, so an overshoot still fits.
  const scale = Math.max(props.scale ?? 0, required, counted + planned, 1);
  const width = 400;
  const x = (hours: number) => Math.min(width, (hours / scale) * width);
  return (
    <figure className="progress-figure">
      <figcaption>
        <strong>{props.label}</strong>{' '}
        <span className="progress-numbers">
          {required > 0
            ? t('people.progress.ofRequired', {
                counted: formatNumber(counted),
                required: formatNumber(required),
              })
            : t('people.progress.noMinimum', { counted: formatNumber(counted) })}
        </span>{' '}
        <span className={`status status-progress-${status.toLowerCase()}`}>
          {t(`people.progress.${status}`)}
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} 18`}
        width="100%"
        height="18"
        preserveAspectRatio="none"
        aria-hidden="true"
        focusable="false"
      >
        <rect x="0" y="2" width={width} height="14" rx="3" className="bar-track" />
        {planned > 0 && (
          <rect
            x={x(counted)}
            y="2"
            width={x(counted + planned) - x(counted)}
            height="14"
            className="bar-planned"
          />
        )}
        <rect
          x="0"
          y="2"
          width={x(counted)}
          height="14"
          rx="3"
          className={`bar-fill bar-${status.toLowerCase()}`}
        />
        {required > 0 && (
          <line x1={x(required)} x2={x(required)} y1="0" y2="18" className="bar-target" />
        )}
        {pace !== undefined && required > 0 && (
          <line
            x1={x(required * pace)}
            x2={x(required * pace)}
            y1="0"
            y2="18"
            className="bar-pace"
          />
        )}
      </svg>
    </figure>
  );
}
