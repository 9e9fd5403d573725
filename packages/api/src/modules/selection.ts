import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';

/**
 * Whether the client asked for any of `names` directly under the field being resolved (through
 * inline fragments and named fragments too). Resolvers use it to skip loading what no one will
 * read; `@skip`/`@include` are not evaluated, so a conditional selection counts as asked for —
 * the answer errs towards loading.
 */
export function selectsAnyOf(info: GraphQLResolveInfo, names: ReadonlySet<string>): boolean {
  const seenFragments = new Set<string>();
  const visit = (set: SelectionSetNode | undefined): boolean => {
    if (!set) return false;
    for (const selection of set.selections) {
      if (selection.kind === 'Field') {
        if (names.has(selection.name.value)) return true;
      } else if (selection.kind === 'InlineFragment') {
        if (visit(selection.selectionSet)) return true;
      } else {
        const name = selection.name.value;
        if (seenFragments.has(name)) continue;
        seenFragments.add(name);
        const fragment = info.fragments[name];
        // A fragment the executor did not hand over: assume it asks for everything.
        if (!fragment || visit(fragment.selectionSet)) return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}
