import { useQuery } from 'urql';
import { Link } from 'wouter';
import { graphql } from '../../graphql/graphql';
import { useLocale } from '../../i18n/locale';

const ProviderRolesQuery = graphql(`
  query ProviderRoles {
    me {
      username
      memberships {
        role
        organization {
          id
        }
      }
    }
  }
`);

/**
 * Links from an activity's page to its editor and roster, for the administrators of its
 * provider (and platform administrators). Others see nothing; the API decides either way.
 */
export function ActivityManageLinks(props: { activityId: string; providerId: string }) {
  const { t } = useLocale();
  const [me] = useQuery({ query: ProviderRolesQuery });
  const manages = (me.data?.me?.memberships ?? []).some(
    (m) =>
      m.role === 'PLATFORM_ADMIN' ||
      ((m.role === 'INSTITUTION_ADMIN' || m.role === 'SCHOOL_ADMIN') &&
        m.organization?.id === props.providerId),
  );
  if (!manages) return null;
  const base = `/institution/activities/${encodeURIComponent(props.activityId)}`;
  return (
    <nav className="manage-links" aria-label={t('inst.link.manage')}>
      <Link href={`${base}/edit`}>{t('inst.link.edit')}</Link>{' '}
      <Link href={`${base}/roster`}>{t('inst.link.roster')}</Link>
    </nav>
  );
}
