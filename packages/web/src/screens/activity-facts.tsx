import { useLocale } from '../i18n/locale';
import type { MessageKey } from '../i18n/messages';

/** What every view of an activity states about it, whichever query brought it. */
export interface ActivityFactsProps {
  activity: {
    provider: { name: string };
    region: { name: string };
    category: { nameEn: string; nameZh: string };
    level: string;
    deliveryMode: string;
    startsOn: string;
    endsOn: string;
    creditHours: number;
  };
}

/**
 * The facts an activity is judged by — who runs it, where, what kind, when, for how many hours —
 * as term/description pairs for the caller's `<dl className="facts">`, which adds what its own
 * screen needs after them (the detail page its capacity, the approval queue its sessions and
 * rules).
 */
export function ActivityFacts({ activity }: ActivityFactsProps) {
  const { t, locale, formatDate, formatNumber } = useLocale();
  return (
    <>
      <dt>{t('activities.provider')}</dt>
      <dd>{activity.provider.name}</dd>
      <dt>{t('activity.region')}</dt>
      <dd>{activity.region.name}</dd>
      <dt>{t('activity.category')}</dt>
      <dd>{locale === 'zh-CN' ? activity.category.nameZh : activity.category.nameEn}</dd>
      <dt>{t('activity.level')}</dt>
      <dd>{t(`level.${activity.level}` as MessageKey)}</dd>
      <dt>{t('activities.delivery')}</dt>
      <dd>{t(`delivery.${activity.deliveryMode}` as MessageKey)}</dd>
      <dt>{t('activity.dates')}</dt>
      <dd>
        {formatDate(activity.startsOn)} – {formatDate(activity.endsOn)}
      </dd>
      <dt>{t('activities.hours')}</dt>
      <dd>{formatNumber(activity.creditHours)}</dd>
    </>
  );
}
