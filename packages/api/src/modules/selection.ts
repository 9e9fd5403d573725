import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';

/**
 * Whether the client asked for any of `names` directly under the field being resolved, or, with
 * `under`, under that path of fields below it (`['edges', 'node']` for a connection's items),
 * through inline fragments and named fragments too. Resolvers use it to skip loading what no one
 * will read and to read ahead what someone will; `@skip`/`@include` are not evaluated, so a
 * conditional selection counts as asked for — the answer errs towards loading.
 */
export function selectsAnyOf(
  info: GraphQLResolveInfo,
  names: ReadonlySet<string>,
  under: readonly string[] = [],
): boolean {
  const seenFragments = new Set<string>();
  const visit = (set: SelectionSetNode | undefined, depth: number): boolean => {
    if (!set) return false;
    for (const selection of set.selections) {
      if (selection.kind === 'Field') {
        const name = selection.name.value;
        if (depth === under.length ? names.has(name) : name === under[depth]) {
          if (depth === under.length || visit(selection.selectionSet, depth + 1)) return true;
        }
      } else if (selection.kind === 'InlineFragment') {
        if (visit(selection.selectionSet, depth)) return true;
      } else {
        const name = selection.name.value;
        const key = `${depth}:${name}`;
        if (seenFragments.has(key)) continue;
        seenFragments.add(key);
        const fragment = info.fragments[name];
        // A fragment the executor did not hand over: assume it asks for everything.
        if (!fragment || visit(fragment.selectionSet, depth)) return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((node) => visit(node.selectionSet, 0));
}
