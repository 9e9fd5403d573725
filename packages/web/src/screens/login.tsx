import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../graphql/graphql';
import { useLocale } from '../i18n/locale';

const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      __typename
      ... on MutationLoginSuccess {
        data {
          expiresAt
          viewer {
            username
            displayName
          }
        }
      }
      ... on UserError {
        code
        message
      }
      ... on ValidationError {
        issues {
          path
          message
        }
      }
    }
  }
`);

export default function LoginScreen() {
  const { t } = useLocale();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [result, login] = useMutation(LoginMutation);
  const outcome = result.data?.login;
  const failure = outcome && outcome.__typename !== 'MutationLoginSuccess' ? outcome : null;
  const issueFor = (field: string) =>
    failure?.__typename === 'ValidationError'
      ? failure.issues.find((issue) => issue.path.at(-1) === field)?.message
      : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const answer = await login({ input: { username, password } });
    // On success the cache is invalidated, `me` refetches and the shell swaps this screen out.
    if (answer.data?.login.__typename === 'MutationLoginSuccess') setPassword('');
  }

  const usernameIssue = issueFor('username');
  const passwordIssue = issueFor('password');
  return (
    <section className="login">
      <h1>{t('login.title')}</h1>
      <form onSubmit={submit} noValidate>
        <label htmlFor="username">{t('login.username')}</label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          aria-invalid={usernameIssue ? true : undefined}
          aria-describedby={usernameIssue ? 'username-issue' : undefined}
        />
        {usernameIssue && (
          <p id="username-issue" className="field-issue">
            {usernameIssue}
          </p>
        )}
        <label htmlFor="password">{t('login.password')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          aria-invalid={passwordIssue ? true : undefined}
          aria-describedby={passwordIssue ? 'password-issue' : undefined}
        />
        {passwordIssue && (
          <p id="password-issue" className="field-issue">
            {passwordIssue}
          </p>
        )}
        {failure && failure.__typename !== 'ValidationError' && (
          <p role="alert" className="alert">
            {failure.message}
          </p>
        )}
        {result.error && (
          <p role="alert" className="alert">
            {t('common.networkError')}
          </p>
        )}
        <button type="submit" disabled={result.fetching}>
          {result.fetching ? t('login.busy') : t('login.submit')}
        </button>
      </form>
      <p className="hint">{t('login.demoHint')}</p>
    </section>
  );
}
