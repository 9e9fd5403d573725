import type { IncomingMessage, ServerResponse } from 'node:http';
import { findLiveSession, hashSessionToken, type Database, type DB } from '@registry/db';
import type { Kysely } from 'kysely';
import type { SessionCache } from '../auth/session-cache';
import type { ReferenceCache } from '../reference-cache';
import { sessionTokenFrom } from '../auth/session-token';
import type { Config } from '../config';
import { createContext, localeFrom, type Context } from '../context';
import type { Logger } from '../logger';
import { certificateRoutes } from './certificate-routes';
import { reportRoutes } from './report-routes';

/**
 * Plain HTTP endpoints beside /graphql: file downloads (certificate PDFs, CSV exports) and
 * well-known documents (the credential-signing JWKS). Each area registers its routes in its own
 * file and adds them to `routes` below; the server tries them in order before the SPA fallback.
 */
export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  requestId: string;
  config: Config;
  log: Logger;
  database: Database;
  /** The caller's GraphQL context (viewer, visibility, loaders, locale), built on first use. */
  context(): Promise<Context>;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Matches the path exactly, or every path under it when it ends with '/'. */
  path: string;
  handle(request: RouteRequest): Promise<void>;
}

export const routes: Route[] = [...certificateRoutes, ...reportRoutes];

export function findRoute(method: string, path: string): Route | undefined {
  const asked = method === 'HEAD' ? 'GET' : method;
  return routes.find(
    (route) =>
      route.method === asked &&
      (route.path.endsWith('/') ? path.startsWith(route.path) : path === route.path),
  );
}

/** What every request's context is built from besides the request itself. */
export interface ContextSources {
  config: Config;
  log: Logger;
  sessions: SessionCache;
  reference: ReferenceCache;
}

export async function routeContext(
  req: IncomingMessage,
  requestId: string,
  db: Kysely<DB>,
  { config, log, sessions, reference }: ContextSources,
): Promise<Context> {
  const sessionToken = sessionTokenFrom(req.headers);
  const tokenHash = sessionToken ? hashSessionToken(sessionToken) : null;
  const viewer = tokenHash
    ? await sessions.lookup(tokenHash, () => findLiveSession(db, tokenHash))
    : null;
  return createContext({
    db,
    requestId,
    locale: localeFrom(req.headers['accept-language']),
    log: log.child({ requestId, user: viewer?.username ?? null }),
    viewer,
    sessionToken: viewer ? sessionToken : null,
    sessions,
    reference,
    secureCookies: config.NODE_ENV === 'production',
    clientAddress: req.socket.remoteAddress ?? 'unknown',
  });
}
