import {
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type OperationDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { CompiledOperations, compiledExecutionGateway } from './compiled-executor';

/** A schema whose one field counts how often it ran. */
function countingSchema() {
  const runs = { count: 0 };
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        hello: {
          type: GraphQLString,
          resolve: () => {
            runs.count += 1;
            return 'world';
          },
        },
      },
    }),
  });
  return { schema, runs };
}

async function executorOf(operations: CompiledOperations, keyOf: (context: object) => object) {
  const loaded = await compiledExecutionGateway(operations, keyOf).load({ apollo: {} } as never);
  return loaded.executor!;
}

describe('CompiledOperations', () => {
  const document = parse('{ hello }');
  const operation = document.definitions[0] as OperationDefinitionNode;
  const requestFor = (context: object) =>
    ({ document, operation, operationName: null, request: {}, context }) as never;

  it('executes an operation compiled once per document', async () => {
    const { schema, runs } = countingSchema();
    const operations = new CompiledOperations(schema);
    const first = await operations.execute(document, operation, null, {}, {});
    const second = await operations.execute(document, operation, null, {}, {});
    expect(first).toEqual({ data: { hello: 'world' } });
    expect(second).toEqual(first);
    expect(runs.count).toBe(2);
    expect(operations.compiledFor(document, null)).toBe(operations.compiledFor(document, null));
  });

  it('gives Apollo the result handed over for the request instead of running it again', async () => {
    const { schema, runs } = countingSchema();
    const operations = new CompiledOperations(schema);
    const key = {};
    // Apollo passes the executor a clone of the context: the key is a member both share.
    const executor = await executorOf(operations, (context) => (context as { key: object }).key);
    const handed = { data: { hello: 'handed over' } };
    operations.handOver(key, handed);
    expect(await executor(requestFor({ key }))).toBe(handed);
    expect(runs.count).toBe(0);
    // Taken once: the next request with the same key executes.
    expect(await executor(requestFor({ key }))).toEqual({ data: { hello: 'world' } });
    expect(runs.count).toBe(1);
  });
});
