import { lazy, Suspense, useMemo, useRef } from 'react';
import { Provider as UrqlProvider, useMutation, useQuery } from 'urql';
import { Link, Redirect, Route, Switch } from 'wouter';
import { createClient } from './graphql/client';
import { graphql } from './graphql/graphql';
import { LocaleProvider, locales, useLocale, useLocaleState, type Locale } from './i18n/locale';
import { allRoutes, type Role } from './routes';
import { QueryState } from './screens/query-state';

// One chunk per route: the first paint loads only the shell and the screen it shows.
const LoginScreen = lazy(() => import('./screens/login'));
const ActivityListScreen = lazy(() => import('./screens/activity-list'));
const ActivityDetailScreen = lazy(() => import('./screens/activity-detail'));
const NotFoundScreen = lazy(() => import('./screens/not-found'));

export const MeQuery = graphql(`
  query Me {
    me {
      username
      displayName
      memberships {
        role
        organization {
          id
          name
        }
      }
    }
  }
`);

const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

export function App() {
  const [locale, setLocale] = useLocaleState();
  const localeRef = useRef(locale);
  localeRef.current = locale;
  const client = useMemo(() => createClient(() => localeRef.current), []);
  return (
    <LocaleProvider locale={locale} onChange={setLocale}>
      <UrqlProvider value={client}>
        <Shell />
      </UrqlProvider>
    </LocaleProvider>
  );
}

function Shell() {
  const { t } = useLocale();
  const [me, refetchMe] = useQuery({ query: MeQuery });
  if (!me.data && (me.fetching || me.error)) {
    return (
      <main className="page">
        <QueryState result={me} retry={() => refetchMe({ requestPolicy: 'network-only' })} />
      </main>
    );
  }
  const viewer = me.data?.me ?? null;
  const roles = new Set<Role>((viewer?.memberships ?? []).map((m) => m.role as Role));
  return (
    <>
      <a className="skip-link" href="#content">
        {t('app.skip')}
      </a>
      <header className="top-bar">
        <Link href="/" className="brand">
          {t('app.title')}
        </Link>
        {viewer && (
          <nav aria-label={t('app.title')}>
            <Link href="/activities">{t('nav.activities')}</Link>
            {allRoutes
              .filter((route) => route.nav && route.roles.some((role) => roles.has(role)))
              .map((route) => (
                <Link key={route.path} href={route.path}>
                  {t(route.nav!)}
                </Link>
              ))}
          </nav>
        )}
        <div className="top-bar-end">
          <LanguageSwitch />
          {viewer && <SignOut name={viewer.displayName} />}
        </div>
      </header>
      <main id="content" className="page" tabIndex={-1}>
        <Suspense fallback={<p role="status">{t('common.loading')}</p>}>
          {viewer ? (
            <Switch>
              <Route path="/">
                <Redirect to="/activities" />
              </Route>
              <Route path="/login">
                <Redirect to="/activities" />
              </Route>
              <Route path="/activities" component={ActivityListScreen} />
              <Route path="/activities/:id">
                {(params) => <ActivityDetailScreen id={decodeParams(params).id!} />}
              </Route>
              {allRoutes.map(({ path, screen: Screen }) => (
                <Route key={path} path={path}>
                  {(params) => <Screen params={decodeParams(params)} />}
                </Route>
              ))}
              <Route component={NotFoundScreen} />
            </Switch>
          ) : (
            <Switch>
              {allRoutes
                .filter((route) => route.public)
                .map(({ path, screen: Screen }) => (
                  <Route key={path} path={path}>
                    {(params) => <Screen params={decodeParams(params)} />}
                  </Route>
                ))}
              {/* Deep links survive signing in: the login screen renders at whatever URL was asked for. */}
              <Route component={LoginScreen} />
            </Switch>
          )}
        </Suspense>
      </main>
    </>
  );
}

/**
 * wouter hands route parameters over as they stand in the URL, still percent-encoded; our
 * global IDs are base64 and end in '=' ('%3D' in a link). Decoded here, once for every route,
 * so a screen always receives the ID the API gave out. A malformed escape (a hand-typed URL)
 * is passed on as typed: the API then answers "not found" instead of the app crashing.
 */
function decodeParams(params: Record<string, string | undefined>) {
  const decoded: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(params)) {
    try {
      decoded[name] = value === undefined ? undefined : decodeURIComponent(value);
    } catch {
      decoded[name] = value;
    }
  }
  return decoded;
}

function LanguageSwitch() {
  const { locale, setLocale, t } = useLocale();
  const names: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };
  return (
    <label className="language">
      <span>{t('nav.language')}</span>
      <select value={locale} onChange={(event) => setLocale(event.target.value as Locale)}>
        {locales.map((code) => (
          <option key={code} value={code} lang={code}>
            {names[code]}
          </option>
        ))}
      </select>
    </label>
  );
}

function SignOut(props: { name: string }) {
  const { t } = useLocale();
  const [, logout] = useMutation(LogoutMutation);
  return (
    <span className="viewer">
      <span>{props.name}</span>
      <button type="button" onClick={() => void logout({})}>
        {t('nav.signOut')}
      </button>
    </span>
  );
}
