import { Link } from 'wouter';
import { useLocale } from '../i18n/locale';

export default function NotFoundScreen() {
  const { t } = useLocale();
  return (
    <section>
      <h1>{t('notFound.title')}</h1>
      <Link href="/activities">{t('notFound.back')}</Link>
    </section>
  );
}
