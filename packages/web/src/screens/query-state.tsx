import type { CombinedError } from 'urql';
import { useLocale } from '../i18n/locale';

/** Loading and failure for a query: a network failure offers a retry instead of a blank page. */
export function QueryState(props: {
  result: { fetching: boolean; error?: CombinedError | undefined };
  retry(): void;
}) {
  const { t } = useLocale();
  const { error } = props.result;
  if (error) {
    return (
      <div role="alert" className="alert">
        <p>
          {error.networkError
            ? t('common.networkError')
            : t('common.error', { message: error.graphQLErrors[0]?.message ?? '' })}
        </p>
        <button type="button" onClick={props.retry}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  return <p role="status">{t('common.loading')}</p>;
}
