import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import type { Context } from './context';
import { encodeGlobalID } from './global-id';

/**
 * Who may read a type's fields, declared on every object type and interface (schema.test.ts
 * checks that each has one or its own auth scopes). It is enforced where objects enter a
 * response, not on every field: root fields carry auth scopes, and schema.test.ts proves that no
 * type for signed-in callers is reachable from a root field a signed-out caller may use. A
 * type-level scope would make scope-auth wrap every field of the type, turning each plain
 * property read into a resolver call with its own steps (decision 0018).
 */
export const audience = {
  /** Readable by whoever reaches it: sign-in data, public verification, errors, directory. */
  anyone: { audience: 'anyone' },
  /** Only signed-in callers reach it: every root field leading to it requires a sign-in. */
  signedIn: { audience: 'signedIn' },
} as const;

/** How `node(id:)` loads a Node type: its batch load and its id parser (`builder.node`). */
export interface NodeType {
  load: (ids: number[], context: Context) => Promise<ReadonlyArray<unknown>>;
  parse: (id: string) => number;
}

/** The types that implement Node, by name; filled by schema.ts once the schema is built. */
export const nodeTypes = new Map<string, NodeType>();

/**
 * Global IDs are base64("Type:id"). Anything else, including a well-formed ID of a type that is
 * not a Node, is the client's mistake and is answered as bad input rather than a server error.
 */
export function decodeGlobalID(globalID: string): { typename: string; id: string } {
  const decoded = /^[A-Za-z0-9+/=_-]{1,200}$/.test(globalID)
    ? Buffer.from(globalID, 'base64').toString('utf8')
    : '';
  const match = /^([A-Z][A-Za-z]{0,63}):([1-9][0-9]{0,9})$/.exec(decoded);
  if (!match || !nodeTypes.has(match[1]!)) {
    throw new GraphQLError('ID is not valid', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return { typename: match[1]!, id: match[2]! };
}

/**
 * The builder and its plugins, nothing else: types live in modules/<area>/.
 * Scope-auth comes first because plugins wrap resolvers in reverse order, so authorization
 * runs before anything else a field does.
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: {
    public: boolean;
    authenticated: boolean;
    platformAdmin: boolean;
    officeOfficer: boolean;
    institutionAdmin: boolean;
    trainer: boolean;
    schoolAdmin: boolean;
    teacher: boolean;
  };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  Scalars: {
    Date: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
  };
  Connection: { totalCount: () => Promise<number> };
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  scopeAuth: {
    // Roles say which fields a caller may use; which rows they see is decided in SQL by the
    // caller's visibility (packages/db visibility.ts).
    authScopes: async (context) => {
      const roles = new Set(context.viewer?.memberships.map((m) => m.role) ?? []);
      return {
        public: true,
        authenticated: context.viewer !== null,
        platformAdmin: roles.has('platform_admin'),
        officeOfficer: roles.has('office_officer'),
        institutionAdmin: roles.has('institution_admin'),
        trainer: roles.has('trainer'),
        schoolAdmin: roles.has('school_admin'),
        teacher: roles.has('teacher'),
      };
    },
    unauthorizedError: (_parent, context) =>
      context.viewer
        ? new GraphQLError('You may not see this.', { extensions: { code: 'FORBIDDEN' } })
        : new GraphQLError('Sign in first.', { extensions: { code: 'UNAUTHENTICATED' } }),
  },
  errors: { directResult: false },
  relay: {
    decodeGlobalID,
    encodeGlobalID,
    clientMutationId: 'omit',
    cursorType: 'String',
    // Each type implementing Node carries its own audience; the interface adds none.
    nodeTypeOptions: {
      description: 'An object with a globally unique, opaque ID.',
      extensions: audience.anyone,
    },
    pageInfoTypeOptions: { description: 'Where a page of a connection starts and ends.' },
    // Our own node(id:) field (modules/node.schema.ts) loads through the type's loader directly.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    idFieldOptions: {
      description: 'Globally unique, opaque ID; pass it to `node(id:)` to refetch.',
    },
    firstArgOptions: { description: 'Page size, 0 to 100 (default 20).' },
    afterArgOptions: { description: 'Cursor of the last edge already seen.' },
    lastArgOptions: { description: 'Not supported: lists page forward only.' },
    beforeArgOptions: { description: 'Not supported: lists page forward only.' },
    cursorFieldOptions: { description: 'Opaque position of this edge in the list.' },
    nodeFieldOptions: { description: 'The item at this position.' },
    edgesFieldOptions: { description: 'The items of this page with their cursors.' },
    pageInfoFieldOptions: { description: 'Where this page starts and ends.' },
    hasNextPageFieldOptions: { description: 'Whether more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Whether items precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first edge of the page.' },
    endCursorFieldOptions: { description: 'Cursor of the last edge; pass it as `after`.' },
    defaultConnectionTypeOptions: { description: 'A page of a list, with its total size.' },
    defaultEdgeTypeOptions: { description: 'One item of a list with its cursor.' },
  },
});

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'How many items the whole connection holds with its filters applied.',
    resolve: (parent) => parent.totalCount(),
  }),
);
