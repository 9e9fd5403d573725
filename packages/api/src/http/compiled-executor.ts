import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  getVariableValues,
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

/**
 * Executes operations with graphql-jit instead of graphql-js's interpreter.
 *
 * graphql-js walks the document for every request: per field it collects sub-fields, builds
 * path and info objects, coerces arguments and wraps results in promises (promiseForObject);
 * on a nested read of ~8,000 fields that was most of the gateway's CPU and allocations (the
 * garbage collector took 29 % of its busy time, pnpm bench W3). graphql-jit compiles each
 * (document, operation) once into a function that does only the resolver calls and the value
 * completion, and keeps it. The schema, its resolvers (Pothos's wrappers, auth scopes,
 * dataloaders) and the errors they raise are the same; parsing and validation (with our limit
 * rules) still run in Apollo before this is called. See docs/decisions/0013.
 *
 * Apollo Server 5 has no executor option; its gateway interface is the supported way to bring
 * one (a "gateway" whose schema never changes).
 *
 * Compiled operations are kept per parsed document: Apollo keeps parsed documents in its
 * document store (an LRU keyed by the query's hash), so a known query reuses its document
 * object and with it the compiled function; when the store drops a document, the compiled
 * operation goes with it (WeakMap), so memory stays bounded by Apollo's store.
 */
export class CompiledOperations {
  readonly #compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | ExecutionResult>>();
  /**
   * Results the known-document path already computed for a request it hands to Apollo because
   * they hold errors (see known-documents.ts): Apollo formats them, the operation is not run
   * twice. Keyed by an object of the request's context (`requestKeyOf`): Apollo hands the
   * executor a shallow clone of the context, not the object the request built.
   */
  readonly #computed = new WeakMap<object, ExecutionResult>();

  constructor(readonly schema: GraphQLSchema) {}

  /** The compiled operation, or the errors graphql-js would give when it cannot be compiled. */
  compiledFor(document: DocumentNode, operationName: string | null) {
    let byOperation = this.#compiled.get(document);
    if (!byOperation) {
      byOperation = new Map();
      this.#compiled.set(document, byOperation);
    }
    const key = operationName ?? '';
    let entry = byOperation.get(key);
    if (!entry) {
      entry = compileQuery(this.schema, document, operationName ?? undefined, {
        // Our errors are typed results or masked by formatError; their stacks are never sent.
        disablingCapturingStackErrors: true,
      });
      byOperation.set(key, entry);
    }
    return entry;
  }

  /**
   * Runs an operation as graphql-js's execute would answer it. Variables are checked by
   * graphql-js first, as its own execute does: same messages (our scalars' reasons included),
   * same 50-error cap, and errors that name the variable definition, which Apollo turns into
   * BAD_USER_INPUT with status 400. graphql-jit's compiled coercion then runs on values known to
   * be valid.
   */
  async execute(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    operationName: string | null,
    variables: Record<string, unknown>,
    context: object,
  ): Promise<ExecutionResult> {
    const entry = this.compiledFor(document, operationName);
    // Not compilable (no such operation, say): the errors graphql-js would give.
    if (!isCompiledQuery(entry)) return entry;
    const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], variables, {
      maxErrors: 50,
    });
    if (coerced.errors) return { errors: coerced.errors };
    const result = await entry.query(undefined, context, variables);
    if (result.errors) result.errors = result.errors.map(asGraphQLError);
    return result;
  }

  /** Hands Apollo a result computed outside its pipeline, for the request with this key. */
  handOver(requestKey: object, result: ExecutionResult): void {
    this.#computed.set(requestKey, result);
  }

  takeHandedOver(requestKey: object): ExecutionResult | undefined {
    const result = this.#computed.get(requestKey);
    if (result) this.#computed.delete(requestKey);
    return result;
  }
}

export function compiledExecutionGateway(
  operations: CompiledOperations,
  requestKeyOf: (context: BaseContext) => object,
): Gateway {
  const executor: Executor = async (requestContext) =>
    operations.takeHandedOver(requestKeyOf(requestContext.context)) ??
    operations.execute(
      requestContext.document,
      requestContext.operation,
      requestContext.operationName,
      requestContext.request.variables ?? {},
      requestContext.context,
    );

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: operations.schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
}

/**
 * graphql-jit reports errors with its own subclass of GraphQLError, which leaves `extensions`
 * undefined where graphql-js always sets an object: Apollo's error normalization reads
 * `extensions.code` and fails, turning a resolver's error (a lost database connection, say)
 * into "Cannot read properties of undefined". Rebuilt as graphql-js errors with the same
 * message, path, locations, extensions and original error, they are what graphql-js's execute
 * would report.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  if (Object.getPrototypeOf(error) === GraphQLError.prototype) return error;
  const original: unknown = error.originalError;
  const rebuilt = new GraphQLError(error.message, {
    path: error.path,
    originalError: original instanceof Error ? original : undefined,
    extensions: error.extensions,
  });
  if (error.locations) {
    (rebuilt as { locations: GraphQLError['locations'] }).locations = error.locations;
  }
  return rebuilt;
}
