import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, ExecutionResult, OperationDefinitionNode } from 'graphql';
import type { CompiledOperations } from './compiled-executor';
import { findNulCharacter } from './text-input';

/**
 * The known-document path: a read whose exact document Apollo has already answered without
 * errors in this process is executed without Apollo's request pipeline. See decision 0020.
 *
 * Apollo's pipeline costs every request CPU before and after execution: header maps, media-type
 * negotiation, hashing the query to find its cached document, plugin hooks in promise chains,
 * a clone of the context, frozen request objects. Skipping it took a one-row read from 0.39–0.40
 * to 0.32–0.33 ms of gateway CPU per answer (pnpm bench data, W1, old and new code
 * alternating). A client sends the same few documents over and over, so the answers of those
 * checks are the same every time; this path keeps them instead of recomputing them.
 *
 * What Apollo decided once and this path reuses, keyed by the exact inputs it decided on:
 * - the document: parsed, validated with our limit rules, free of NUL literals, a query (never a
 *   mutation: those keep every hook, idempotency included), with the operation it selects;
 * - the response media type for the request's content-type and accept headers (Apollo's
 *   negotiation, and its CSRF rule, which only lets JSON content types through).
 *
 * What it still does per request, as Apollo would: the context (session, visibility, loaders),
 * the NUL check of the variables, graphql-js's variable coercion, the compiled execution, the
 * request log line. Anything else — a variable that fails coercion or holds NUL, a body with
 * `extensions`, an unknown document or header pair — goes to Apollo unchanged. A result with
 * errors goes to Apollo too, with the result handed over (not re-executed), so errors are
 * formatted, logged, masked and given their HTTP status by the one code that does it.
 */

/** The largest document text kept, and the total kept: an attacker can churn it, not grow it. */
const maxDocumentChars = 32 * 1024;
const maxTotalChars = 4 * 1024 * 1024;
/** Distinct (content-type, accept) header pairs kept: clients send a handful. */
const maxHeaderPairs = 64;

interface KnownDocument {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The name of the operation the document selects (Apollo's `operationName`), for the log. */
  operationName: string | null;
  chars: number;
}

/** A request this path can answer. */
export interface KnownRequest {
  entry: KnownDocument;
  variables: Record<string, unknown>;
  /** The operation name the client sent, if any. */
  operationName: string | null;
  contentType: string;
}

const keyOf = (query: string, operationName: string | null | undefined) =>
  `${operationName ?? ''}\u0000${query}`;

const headerKeyOf = (contentType: string | undefined, accept: string | undefined) =>
  `${contentType ?? ''}\u0000${accept ?? ''}`;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class KnownDocuments {
  readonly #documents = new Map<string, KnownDocument>();
  #totalChars = 0;
  readonly #mediaTypes = new Map<string, string>();
  readonly #candidates = new WeakMap<object, { key: string; known: KnownDocument }>();

  /**
   * `requestKeyOf` names an object unique to a request that Apollo's shallow clone of the
   * context shares (Apollo clones the context per operation), to find the request again.
   */
  constructor(
    private readonly operations: CompiledOperations,
    private readonly requestKeyOf: (context: object) => object,
  ) {}

  /**
   * The request, when its body and headers are ones Apollo has answered before; null otherwise.
   * `body` is the parsed JSON body of a POST.
   */
  match(body: unknown, contentType: string | undefined, accept: string | undefined) {
    if (!isRecord(body) || typeof body.query !== 'string') return null;
    for (const key in body) {
      if (key !== 'query' && key !== 'variables' && key !== 'operationName') return null;
    }
    const { variables, operationName } = body;
    if (variables !== undefined && variables !== null && !isRecord(variables)) return null;
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
      return null;
    const mediaType = this.#mediaTypes.get(headerKeyOf(contentType, accept));
    if (mediaType === undefined) return null;
    const key = keyOf(body.query, operationName);
    const known = this.#documents.get(key);
    if (!known) return null;
    // Most recently used last, so the oldest unused document goes first.
    this.#documents.delete(key);
    this.#documents.set(key, known);
    const values = variables ?? {};
    if (findNulCharacter(values, '') !== null) return null;
    return {
      entry: known,
      variables: values,
      operationName: operationName ?? null,
      contentType: mediaType,
    } satisfies KnownRequest;
  }

  /**
   * Executes the request. The answer is the response body when the result has no errors;
   * otherwise the result is handed over to Apollo for this context and null is returned, and
   * the caller runs the request through Apollo with the same context.
   */
  async execute(request: KnownRequest, context: object): Promise<string | null> {
    const { entry, variables } = request;
    const result: ExecutionResult = await this.operations.execute(
      entry.document,
      entry.operation,
      entry.operationName,
      variables,
      context,
    );
    if (result.errors?.length || result.data == null) {
      this.operations.handOver(this.requestKeyOf(context), result);
      return null;
    }
    // Apollo's serialization of a single result without errors or extensions, to the byte.
    return `${JSON.stringify({ data: result.data })}\n`;
  }

  /**
   * Notes Apollo's successful queries; `learn` keeps them once Apollo's HTTP response is known
   * (Apollo picks the media type after its plugins have run).
   */
  readonly plugin: ApolloServerPlugin = {
    requestDidStart: async () => ({
      willSendResponse: async ({
        contextValue,
        request,
        response,
        document,
        operation,
        operationName,
      }) => {
        if (!document || operation?.operation !== 'query') return;
        if (request.http?.method !== 'POST' || request.extensions !== undefined) return;
        if (response.body.kind !== 'single' || response.body.singleResult.errors) return;
        if (typeof request.query !== 'string') return;
        this.#candidates.set(this.requestKeyOf(contextValue), {
          key: keyOf(request.query, request.operationName),
          known: {
            document,
            operation,
            operationName: operationName ?? null,
            chars: request.query.length,
          },
        });
      },
    }),
  };

  /**
   * Keeps what Apollo decided for this request, when it answered a query with 200, no errors
   * and no header but its media type (anything else in the head would be lost on this path).
   */
  learn(
    context: object,
    contentType: string | undefined,
    accept: string | undefined,
    response: {
      status?: number;
      headers: Iterable<[string, string]> & { get(name: string): string | undefined };
    },
  ): void {
    const key = this.requestKeyOf(context);
    const candidate = this.#candidates.get(key);
    if (!candidate) return;
    this.#candidates.delete(key);
    if (response.status !== undefined && response.status !== 200) return;
    for (const [name] of response.headers) if (name !== 'content-type') return;
    const mediaType = response.headers.get('content-type');
    if (mediaType === undefined) return;
    this.#rememberMediaType(headerKeyOf(contentType, accept), mediaType);
    this.#rememberDocument(candidate.key, candidate.known);
  }

  #rememberMediaType(key: string, mediaType: string) {
    if (this.#mediaTypes.has(key)) return;
    if (this.#mediaTypes.size >= maxHeaderPairs) {
      this.#mediaTypes.delete(this.#mediaTypes.keys().next().value!);
    }
    this.#mediaTypes.set(key, mediaType);
  }

  #rememberDocument(key: string, known: KnownDocument) {
    if (known.chars > maxDocumentChars || this.#documents.has(key)) return;
    this.#documents.set(key, known);
    this.#totalChars += known.chars;
    for (const [oldest, entry] of this.#documents) {
      if (this.#totalChars <= maxTotalChars) break;
      this.#documents.delete(oldest);
      this.#totalChars -= entry.chars;
    }
  }
}
