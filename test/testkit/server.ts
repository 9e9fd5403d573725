import type { AddressInfo } from 'node:net';
import { createLogger, createRegistryServer, loadConfig } from '@registry/api';
import type { Database } from '@registry/db';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

/** The real HTTP server on a free port of 127.0.0.1, over the given database. */
export async function startTestServer(
  database: Database,
  env: Record<string, string> = {},
  options: { logLines?: Array<Record<string, unknown>> } = {},
) {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  // Tests that check what is logged collect the JSON lines instead of printing them.
  const sink = options.logLines;
  const logger = sink
    ? createLogger(config, { write: (line: string) => void sink.push(JSON.parse(line)) })
    : createLogger(config);
  const { http, apollo } = await createRegistryServer(config, database, logger);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  async function graphql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse<T>> {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status' | 'headers'>;
    return { status: response.status, headers: response.headers, ...body };
  }

  /** Signs in and returns a GraphQL caller that sends the bearer token. */
  async function as(account: { username: string; password: string }) {
    const response = await graphql<{ login: { __typename: string; token?: string } }>(
      `
        mutation ($input: LoginInput!) {
          login(input: $input) {
            __typename
            ... on MutationLoginSuccess {
              data {
                token
              }
            }
          }
        }
      `,
      { input: { username: account.username, password: account.password, issueToken: true } },
    );
    const token = (response.data?.login as { data?: { token?: string } } | undefined)?.data?.token;
    if (!token) throw new Error(`login as ${account.username} failed: ${JSON.stringify(response)}`);
    return <T = Record<string, unknown>>(
      query: string,
      variables: Record<string, unknown> = {},
      headers: Record<string, string> = {},
    ) => graphql<T>(query, variables, { authorization: `Bearer ${token}`, ...headers });
  }

  return {
    url,
    graphql,
    as,
    stop: async () => {
      // close() waits for every connection to end, and a test that read only a response's
      // status leaves its connection busy: cut them all, or the hook waits forever.
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
      await apollo.stop();
    },
  };
}
