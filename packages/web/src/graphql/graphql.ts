import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './introspection.generated';

/**
 * Every document the app sends is written with this tag and type-checked against the committed
 * gateway schema: a renamed field breaks `pnpm typecheck`, not a user's screen.
 */
export const graphql = initGraphQLTada<{
  introspection: typeof introspection;
  scalars: { Date: string; DateTime: string };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
export { readFragment } from 'gql.tada';
