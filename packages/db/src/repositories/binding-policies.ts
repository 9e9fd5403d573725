import { sql, type Kysely } from 'kysely';
import type { DB } from '../generated/database';
import { findRequirementPoliciesByIds, type RequirementPolicy } from './directory.repository';

/**
 * A region is bound by the requirement policies of itself and of every region above it. Region
 * paths are prefixes of their descendants' (`/1/4/` lies under `/1/`), so a query joins the
 * policies' regions as `pr` to the bound region `r` on `regionAtOrAbove` and reads each policy
 * region's depth with `policyRegionDepth` (1 = province).
 */
export const regionAtOrAbove = sql<boolean>`r.path like pr.path || '%'`;
export const policyRegionDepth =
  sql<number>`length(pr.path) - length(replace(pr.path, '/', '')) - 1`.as('depth');

/** Reads requirement policies by id: the database by default, or a caller's cache of them. */
export type PolicyReader = (ids: readonly number[]) => Promise<RequirementPolicy[]>;

/**
 * The policies of `bindings` (rows of such a query: a key, a policy id, a depth) by key, in the
 * rows' order, with their region depth; the policies themselves in one statement, or none when
 * `readPolicies` has them (the API's reference cache, decision 0023).
 */
export async function bindingPoliciesByKey<B extends { policy_id: number; depth: number }, K>(
  db: Kysely<DB>,
  bindings: ReadonlyArray<B>,
  keyOf: (binding: B) => K,
  readPolicies: PolicyReader = (ids) => findRequirementPoliciesByIds(db, ids),
): Promise<Map<K, Array<RequirementPolicy & { regionDepth: number }>>> {
  const policies = new Map(
    (await readPolicies([...new Set(bindings.map((b) => b.policy_id))])).map((p) => [p.id, p]),
  );
  const byKey = new Map<K, Array<RequirementPolicy & { regionDepth: number }>>();
  for (const binding of bindings) {
    const policy = policies.get(binding.policy_id);
    if (!policy) continue;
    const key = keyOf(binding);
    const list = byKey.get(key) ?? [];
    list.push({ ...policy, regionDepth: Number(binding.depth) });
    byKey.set(key, list);
  }
  return byKey;
}
