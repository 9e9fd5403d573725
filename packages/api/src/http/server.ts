import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { PothosValidationError } from '@pothos/core';
import {
  findIdempotencyRecord,
  isDatabaseUnavailable,
  migrationsAreCurrent,
  requestScopeOf,
  RequestScope,
  type Database,
} from '@registry/db';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { sql } from 'kysely';
import { SessionCache, sessionChangeChannel, sessionFeedLines } from '../auth/session-cache';
import { reportingFeed } from '../change-feed';
import { ReferenceCache, referenceChangeChannel, referenceFeedLines } from '../reference-cache';
import type { Config } from '../config';
import { releaseContext, type Context } from '../context';
import type { Logger } from '../logger';
import { schema } from '../schema';
import {
  clearerMessage,
  isVariableErrorLimit,
  limitRules,
  nestedDeeperThan,
  requestLimits,
} from './limits';
import {
  answerFromRecord,
  executeIdempotently,
  idempotencyHeader,
  refuseKey,
  requestHashOf,
} from './idempotency';
import { findRoute, routeContext, type ContextSources } from './routes';
import { refuseNulCharacters } from './text-input';
import { createStaticHandler } from './static-files';
import { CompiledOperations, compiledExecutionGateway } from './compiled-executor';
import { KnownDocuments, type KnownRequest } from './known-documents';

const maxBodyBytes = 1024 * 1024;

/** How long /readyz waits for the database before it answers 503 "database not answering". */
export const readinessTimeoutMs = 3_000;

/** Sessions one process keeps (a few hundred bytes each): beyond it the oldest go first. */
const sessionCacheEntries = 10_000;
/**
 * Reference rows are kept a minute at most: the bound on a change notification lost without
 * the connection noticing. A few hundred rows exist; the cap only stops a runaway.
 */
const referenceCacheMs = 60_000;
const referenceCacheEntries = 5_000;

/**
 * The answer while the database cannot be reached (refused, cut, restarting): a typed error a
 * client can act on — retry after a moment — with HTTP 503, never an internal error with the
 * driver's words. It does not promise that nothing was written: a connection lost while its
 * COMMIT was on the wire may have committed, so a retry must be one the mutation can recognise
 * (an import's idempotency key) or checked first.
 */
export const databaseUnavailable = {
  code: 'DATABASE_UNAVAILABLE',
  message: 'The registry cannot reach its database right now. Try again in a moment.',
  retryAfterSeconds: 5,
} as const;

function databaseUnavailableError(): GraphQLError {
  return new GraphQLError(databaseUnavailable.message, {
    extensions: {
      code: databaseUnavailable.code,
      http: {
        status: 503,
        headers: new HeaderMap([['retry-after', String(databaseUnavailable.retryAfterSeconds)]]),
      },
    },
  });
}

export interface RegistryServer {
  http: Server;
  apollo: ApolloServer<Context>;
}

/** Error codes that are the client's doing; their messages are meant for people. */
const expectedCodes = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
]);

/** An error we raised on purpose with a client-facing code, or one graphql-js raised about the request. */
function isExpected(error: GraphQLError): boolean {
  const code = error.extensions?.code;
  if (typeof code === 'string' && expectedCodes.has(code)) return true;
  if (error.originalError instanceof PothosValidationError) return true;
  // Parse and validation errors have no original error and no path.
  return error.originalError === undefined && error.path === undefined;
}

export async function createRegistryServer(
  config: Config,
  database: Database,
  log: Logger,
): Promise<RegistryServer> {
  const production = config.NODE_ENV === 'production';
  const sessions = new SessionCache({
    ttlMs: config.SESSION_CACHE_SECONDS * 1000,
    maxEntries: sessionCacheEntries,
  });
  // Serves nothing until the feed listens; closed with the server (serverWillStop below).
  const sessionFeed =
    config.SESSION_CACHE_SECONDS > 0
      ? await database.listen(sessionChangeChannel, reportingFeed(sessions, log, sessionFeedLines))
      : null;
  // Categories and policies, on the same terms (decision 0023).
  // Off, it has no feed, so it never serves.
  const reference = new ReferenceCache({
    ttlMs: referenceCacheMs,
    maxEntries: referenceCacheEntries,
  });
  const referenceFeedSubscription =
    config.REFERENCE_CACHE === 'on'
      ? await database.listen(
          referenceChangeChannel,
          reportingFeed(reference, log, referenceFeedLines),
        )
      : null;
  const sources: ContextSources = { config, log, sessions, reference };
  const operations = new CompiledOperations(schema);
  // The request's own Kysely instance: Apollo clones the context object, never its members.
  const requestKeyOf = (context: object) => (context as Context).db;
  const knownDocuments = new KnownDocuments(operations, requestKeyOf);
  const apollo = new ApolloServer<Context>({
    gateway: compiledExecutionGateway(operations, requestKeyOf),
    introspection: !production,
    includeStacktraceInErrorResponses: config.NODE_ENV === 'development',
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // The parser stops counting at the limit and Apollo answers 400 (graphql-armor's token
    // plugin throws from a hook and answers 500 instead).
    parseOptions: { maxTokens: requestLimits.maxTokens },
    validationRules: limitRules,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // The default cache-control plugin hooks every field (willResolveField), which makes
      // Apollo wrap every resolver of the schema; no field sets a cache hint and no answer is
      // cacheable (they depend on who asks), so it only cost time: about a fifth of the CPU of
      // a nested query with a thousand fields (pnpm bench, W3).
      ApolloServerPluginCacheControlDisabled(),
      refuseNulCharacters,
      knownDocuments.plugin,
      {
        async serverWillStart() {
          return {
            async serverWillStop() {
              await sessionFeed?.close();
              await referenceFeedSubscription?.close();
            },
          };
        },
      },
      {
        async requestDidStart({ contextValue }) {
          const started = performance.now();
          return {
            async didEncounterErrors({ errors }) {
              for (const error of errors) {
                if (isDatabaseUnavailable(error.originalError)) {
                  contextValue.log.warn(
                    { err: error.originalError, path: error.path },
                    'database unavailable',
                  );
                } else if (!isExpected(error)) {
                  contextValue.log.error(
                    { err: error.originalError ?? error, path: error.path },
                    'unexpected error',
                  );
                }
              }
            },
            async willSendResponse({ request, response, errors, operationName }) {
              // Masked errors carry the request id so a user can quote it and we can find the log line.
              if (response.body.kind === 'single') {
                for (const error of response.body.singleResult.errors ?? []) {
                  if (error.extensions?.code === 'INTERNAL_SERVER_ERROR') {
                    (error.extensions as Record<string, unknown>).requestId =
                      contextValue.requestId;
                  }
                  if (error.extensions?.code === databaseUnavailable.code) {
                    response.http.status = 503;
                    response.http.headers.set(
                      'retry-after',
                      String(databaseUnavailable.retryAfterSeconds),
                    );
                  }
                }
              }
              logRequest(
                contextValue,
                operationName ?? request.operationName ?? null,
                started,
                errors?.length ?? 0,
                'apollo',
              );
              // Apollo's clone of the context has a scope-auth cache of its own.
              releaseContext(contextValue);
            },
          };
        },
      },
    ],
    // Unexpected errors (bugs, SQL failures naming constraints) never reach the client as they
    // are: the client gets "Internal server error" and a request id, the log gets the original.
    formatError: (original: GraphQLFormattedError, error: unknown) => {
      const formatted = {
        ...original,
        message: clearerMessage(original.message, original.extensions?.code),
      };
      if (
        original.extensions?.code === databaseUnavailable.code ||
        isDatabaseUnavailable(error instanceof GraphQLError ? error.originalError : error)
      ) {
        return {
          message: databaseUnavailable.message,
          ...(original.locations ? { locations: original.locations } : {}),
          ...(original.path ? { path: original.path } : {}),
          extensions: { code: databaseUnavailable.code },
        };
      }
      if (isVariableErrorLimit(original.message) && !original.path) {
        return { message: formatted.message, extensions: { code: 'BAD_USER_INPUT' } };
      }
      if (error instanceof GraphQLError && error.originalError instanceof PothosValidationError) {
        // Pothos refuses malformed global IDs, cursors and page sizes: the client's input.
        return { ...formatted, extensions: { code: 'BAD_USER_INPUT' } };
      }
      if (error instanceof GraphQLError ? isExpected(error) : false) {
        // "Did you mean …?" suggestions would let anyone map a schema whose introspection is off.
        return production
          ? { ...formatted, message: formatted.message.replace(/ Did you mean .*\?$/, '') }
          : formatted;
      }
      const code = formatted.extensions?.code;
      if (typeof code === 'string' && expectedCodes.has(code)) return formatted;
      return {
        message: 'Internal server error',
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      };
    },
  });
  await apollo.start();

  const serveStatic = createStaticHandler(config.WEB_DIST_DIR);

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = undefined;
    if (req.method === 'POST') {
      const raw = await readBody(req);
      if (raw === null)
        return sendJson(res, 413, {
          errors: [{ message: 'Request body is too large', extensions: { code: 'BAD_REQUEST' } }],
        });
      const contentType = headers.get('content-type') ?? '';
      if (contentType.includes('application/json')) {
        try {
          body = JSON.parse(raw.toString('utf8') || 'null');
        } catch {
          return sendJson(res, 400, {
            errors: [
              { message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } },
            ],
          });
        }
        if (nestedDeeperThan(body, requestLimits.maxBodyDepth)) {
          return sendJson(res, 400, {
            errors: [
              {
                message: `Request body nests arrays and objects more than ${requestLimits.maxBodyDepth} levels deep`,
                extensions: { code: 'BAD_REQUEST' },
              },
            ],
          });
        }
      } else {
        body = raw.toString('utf8');
      }
    }
    let context: Context | undefined;
    // The request's own Kysely instance counts its statements and carries its idempotency claim.
    const scope = new RequestScope();
    const db = database.db.withPlugin(scope);
    try {
      await respond();
    } finally {
      if (context) releaseContext(context);
    }

    async function respond() {
      const idempotencyKey = req.method === 'POST' ? headers.get(idempotencyHeader) : undefined;
      if (idempotencyKey === undefined && req.method === 'POST') {
        const known = knownDocuments.match(body, req.headers['content-type'], req.headers.accept);
        if (known && (await answerKnown(known))) return;
      }
      const { response, answered } =
        idempotencyKey === undefined
          ? { response: await executeGraphQL(), answered: null }
          : await executeWithKey(idempotencyKey);
      if (context && response && idempotencyKey === undefined) {
        knownDocuments.learn(context, req.headers['content-type'], req.headers.accept, response);
      }
      const statements = scope.statements;
      if (answered) {
        res.writeHead(answered.status, {
          ...answered.headers,
          'x-request-id': requestId,
          'x-sql-statements': String(statements),
        });
        res.end(answered.body);
        return;
      }
      for (const [key, value] of response!.headers) res.setHeader(key, value);
      if (context?.responseCookies.length) res.setHeader('set-cookie', context.responseCookies);
      res.setHeader('x-request-id', requestId);
      // Statements this request cost, session lookup included: how N+1 regressions get caught.
      res.setHeader('x-sql-statements', String(statements));
      res.statusCode = response!.status ?? 200;
      if (response!.body.kind === 'complete') {
        res.end(response!.body.string);
      } else {
        for await (const chunk of response!.body.asyncIterator) res.write(chunk);
        res.end();
      }
    }

    /**
     * Answers a read Apollo has answered before (known-documents.ts); false when Apollo must
     * answer it, with the context already built and any result handed over.
     */
    async function answerKnown(known: KnownRequest): Promise<boolean> {
      const started = performance.now();
      try {
        context = await routeContext(req, requestId, db, sources);
      } catch {
        // Apollo builds it again and reports the failure as it always does.
        return false;
      }
      const answer = await knownDocuments.execute(known, context);
      if (answer === null) return false;
      logRequest(context, known.entry.operationName ?? known.operationName, started, 0, 'known');
      res.setHeader('content-type', known.contentType);
      res.setHeader('x-request-id', requestId);
      res.setHeader('x-sql-statements', String(scope.statements));
      res.statusCode = 200;
      res.end(answer);
      return true;
    }

    function executeGraphQL() {
      const { search } = new URL(req.url ?? '/', 'http://x');
      return apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body },
        context: async () => {
          if (context) return context;
          try {
            context = await routeContext(req, requestId, db, sources);
          } catch (error) {
            // The session lookup is the first statement of every request: without the database
            // Apollo would answer 500 "Context creation failed: <driver message>".
            if (isDatabaseUnavailable(error)) {
              log.warn({ err: error, requestId }, 'database unavailable');
              throw databaseUnavailableError();
            }
            throw error;
          }
          return context;
        },
      });
    }

    /** The request under an Idempotency-Key: a stored or refused answer, or a fresh response. */
    async function executeWithKey(key: string) {
      const caller = (context = await routeContext(req, requestId, db, sources));
      const refused = refuseKey(key, caller);
      if (refused) return { response: null, answered: refused };
      const requestHash = requestHashOf(body);
      const record = await findIdempotencyRecord(db, caller.viewer!.id, key);
      if (record) {
        return {
          response: null,
          answered: await answerFromRecord(db, caller, key, requestHash, record),
        };
      }
      let response: Awaited<ReturnType<typeof executeGraphQL>> | null = null;
      const { raced } = await executeIdempotently(db, caller, key, requestHash, async () => {
        response = await executeGraphQL();
        return {
          status: response.status ?? 200,
          body: response.body.kind === 'complete' ? response.body.string : null,
        };
      });
      return raced ? { response: null, answered: raced } : { response, answered: null };
    }
  }

  /**
   * Readiness asks the database, with a bound: a network that swallows packets would otherwise
   * leave the probe waiting as long as TCP does (minutes), and an orchestrator needs an answer.
   * Probes share the check in flight, so a stalled database holds at most one pool connection
   * for readiness however often it is probed.
   */
  let readinessCheck: Promise<'ready' | 'migrations pending' | 'database unreachable'> | null =
    null;
  function checkReadiness() {
    readinessCheck ??= (async () => {
      try {
        await sql`select 1`.execute(database.db);
        return (await migrationsAreCurrent(database.db)) ? 'ready' : 'migrations pending';
      } catch {
        return 'database unreachable';
      }
    })().finally(() => {
      readinessCheck = null;
    });
    return readinessCheck;
  }

  async function handleReady(res: ServerResponse) {
    let timer: NodeJS.Timeout | undefined;
    const status = await Promise.race([
      checkReadiness(),
      new Promise<'database not answering'>((resolve) => {
        timer = setTimeout(() => resolve('database not answering'), readinessTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    sendJson(res, status === 'ready' ? 200 : 503, { status, engine: database.engine });
  }

  const http = createServer((req, res) => {
    const requestId =
      (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = findRoute(req.method ?? 'GET', path);
    let context: Promise<Context> | undefined;
    const work = route
      ? route.handle({
          req,
          res,
          url: new URL(req.url ?? '/', 'http://x'),
          requestId,
          config,
          log,
          database,
          context: () => (context ??= routeContext(req, requestId, database.db, sources)),
        })
      : path === '/graphql'
        ? handleGraphQL(req, res, requestId)
        : path === '/healthz'
          ? Promise.resolve(sendJson(res, 200, { status: 'ok' }))
          : path === '/readyz'
            ? handleReady(res)
            : req.method === 'GET' || req.method === 'HEAD'
              ? serveStatic(req, res)
              : Promise.resolve(sendJson(res, 405, { error: 'method not allowed' }));
    work.catch((error: unknown) => {
      if (isDatabaseUnavailable(error)) {
        log.warn({ err: error, requestId }, 'database unavailable');
        if (!res.headersSent) {
          res.setHeader('retry-after', String(databaseUnavailable.retryAfterSeconds));
          return sendJson(res, 503, {
            errors: [
              {
                message: databaseUnavailable.message,
                extensions: { code: databaseUnavailable.code, requestId },
              },
            ],
          });
        }
        return res.destroy();
      }
      log.error({ err: error, requestId }, 'request failed');
      if (!res.headersSent)
        sendJson(res, 500, {
          errors: [
            {
              message: 'Internal server error',
              extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
            },
          ],
        });
      else res.destroy();
    });
  });
  http.keepAliveTimeout = 65_000;
  return { http, apollo };
}

/** The request log line: one per GraphQL request, whichever path answered it. */
function logRequest(
  context: Context,
  operationName: string | null,
  started: number,
  errors: number,
  /** Which path answered: Apollo's pipeline, or the known-document path (decision 0020). */
  pipeline: 'apollo' | 'known',
): void {
  const tally = requestScopeOf(context.db);
  context.log.info(
    {
      // The name from the document when the client did not send one separately.
      operationName,
      durationMs: Math.round(performance.now() - started),
      errors,
      sqlStatements: tally?.statements ?? 0,
      sqlMs: tally ? Math.round(tally.databaseMs) : 0,
      pipeline,
    },
    'graphql request',
  );
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** The whole body, or null when it exceeds the limit (the rest is drained, not buffered). */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export type { BaseContext };
