/**
 * The read workloads as GraphQL documents for the gateway and their PostGraphile equivalents,
 * plus the pools of ids each request draws from (round robin, so consecutive requests touch
 * different rows and the numbers are not one cached row's).
 *
 * Equivalence: each pair asks for the same columns and the same nesting. Differences that
 * remain are named here and in docs/benchmarks.md: the gateway's global IDs are base64 of
 * "Type:id" where PostGraphile's are base64 of a JSON array; the gateway authorizes every
 * field (the bench signs in as the platform admin) where PostGraphile exposes every table to
 * anyone; W4 asks the gateway for its requirement progress of the cycle (sums per category
 * against the policy), which PostGraphile cannot compute (and its ledger has no condition on
 * policy_id, which has no index), so PostGraphile returns the teacher's first 50 ledger entries
 * with their activities, the same list as the gateway's creditEntries.
 */
import { encodeGlobalID } from '@registry/api/global-id';

export interface Pools {
  /** Activities with sessions and attendance: W1 and W3 draw from them. */
  activityIds: number[];
  /** Regions activities hang at, for the W2 filter. */
  regionIds: number[];
  /** Teachers with entries in the previous cycle, and that cycle's policy. */
  teacherIds: number[];
  previousPolicyId: number;
}

/** The gateway's own encoder, so the baseline pays what the gateway pays per ID. */
export const globalId = (type: string, id: number) => encodeGlobalID(type, id);

export interface ReadWorkload {
  id: 'W1' | 'W2' | 'W3' | 'W4';
  title: string;
  ours: { query: string; variables(i: number): Record<string, unknown> };
  peer: { query: string; variables(i: number): Record<string, unknown> };
  /** The body of a request to the baseline server: the local ids the gateway decodes. */
  baselineVariables(i: number): Record<string, unknown>;
}

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;

export function readWorkloads(pools: Pools): ReadWorkload[] {
  const workloads: Array<Omit<ReadWorkload, 'baselineVariables'>> = [
    {
      id: 'W1',
      title: 'activity by id',
      ours: {
        query: `query W1($id: ID!) { node(id: $id) { ... on Activity {
          id code title status level deliveryMode creditHours capacity startsOn endsOn
          provider { id name } } } }`,
        variables: (i) => ({ id: globalId('Activity', pick(pools.activityIds, i)) }),
      },
      peer: {
        query: `query W1($id: Int!) { activityByRowId(rowId: $id) {
          id code title status level deliveryMode creditHours capacity startsOn endsOn
          organizationByProviderId { id name } } }`,
        variables: (i) => ({ id: pick(pools.activityIds, i) }),
      },
    },
    {
      id: 'W2',
      title: 'activity list, page of 50, filtered by region and status',
      ours: {
        query: `query W2($region: ID!) { activities(first: 50, filter: { regionId: $region, status: [CREDITED] }) {
          edges { cursor node { id code title status level deliveryMode creditHours startsOn endsOn provider { id name } } }
          pageInfo { hasNextPage endCursor } } }`,
        variables: (i) => ({ region: globalId('Region', pick(pools.regionIds, i)) }),
      },
      peer: {
        query: `query W2($region: Int!) { allActivities(first: 50, condition: { regionId: $region, status: "credited" },
          orderBy: [STARTS_ON_DESC, ROW_ID_DESC]) {
          edges { cursor node { id code title status level deliveryMode creditHours startsOn endsOn organizationByProviderId { id name } } }
          pageInfo { hasNextPage endCursor } } }`,
        variables: (i) => ({ region: pick(pools.regionIds, i) }),
      },
    },
    {
      id: 'W3',
      title: 'nested: activity → sessions → trainers and attendance (50) → teacher → school',
      ours: {
        query: `query W3($id: ID!) { node(id: $id) { ... on Activity { id code title
          sessions { id sequence title startsAt hours
            trainers { id name kind }
            attendance(first: 50) { edges { node { id status minutes
              teacher { id name school { id name } } } } } } } } }`,
        variables: (i) => ({ id: globalId('Activity', pick(pools.activityIds, i)) }),
      },
      peer: {
        query: `query W3($id: Int!) { activityByRowId(rowId: $id) { id code title
          sessionsByActivityId(orderBy: SEQUENCE_ASC) { nodes { id sequence title startsAt hours
            sessionTrainersBySessionId { nodes { trainerByTrainerId { id name kind } } }
            attendances(first: 50, orderBy: ROW_ID_ASC) { nodes { id status minutes
              enrollment { teacherByTeacherId { id name organizationBySchoolId { id name } } } } } } } } }`,
        variables: (i) => ({ id: pick(pools.activityIds, i) }),
      },
    },
    {
      id: 'W4',
      title: "a teacher's transcript for a cycle",
      ours: {
        query: `query W4($id: ID!, $policy: ID!) { node(id: $id) { ... on Teacher { id name nationalId
          progress(policyId: $policy) { asOf entryCount awardedHours adjustedHours revokedHours
            total { required earned counted remaining status }
            categories { code required earned counted remaining status } }
          creditEntries(first: 50) { edges { node { id kind hours earnedOn category { code }
            activity { id code title } } } } } } }`,
        variables: (i) => ({
          id: globalId('Teacher', pick(pools.teacherIds, i)),
          policy: globalId('RequirementPolicy', pools.previousPolicyId),
        }),
      },
      peer: {
        query: `query W4($id: Int!) { teacherByRowId(rowId: $id) { id name nationalId
          creditLedgersByTeacherId(first: 50, orderBy: ROW_ID_ASC) {
            nodes { id kind hours earnedOn category activityByActivityId { id code title } } } } }`,
        variables: (i) => ({ id: pick(pools.teacherIds, i) }),
      },
    },
  ];
  return workloads.map((w) => ({
    ...w,
    baselineVariables:
      w.id === 'W4'
        ? (i) => ({ id: pick(pools.teacherIds, i), policy: pools.previousPolicyId })
        : w.peer.variables,
  }));
}
