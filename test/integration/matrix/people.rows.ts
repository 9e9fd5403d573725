import { g, type MatrixArea } from './matrix-kit';

/**
 * The directory lists the SPA's people screens read: trainers (an institution's editor picks
 * from them) and enrollments across activities (a school's queue awaiting its decision).
 */
// prettier-ignore
const rows: MatrixArea['rows'] = {
  'query trainers':                   { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['deny', 'deny'], teacher: ['deny', 'deny'] },
  'query enrollments':                { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
};

const operations: MatrixArea['operations'] = {
  // The target's trainer teaches for the target's institution; schools and teachers have none.
  'query trainers': async (caller, t) => {
    const { data } = await caller<{ trainers: { edges: Array<{ node: { id: string } }> } }>(
      `{ trainers(first: 100) { edges { node { id } } } }`,
    );
    return data?.trainers.edges.some((e) => e.node.id === g('Trainer', t.trainer))
      ? 'allow'
      : 'deny';
  },
  'query enrollments': async (caller, t) => {
    const { data } = await caller<{ enrollments: { edges: Array<{ node: { id: string } }> } }>(
      `query($a: ID!) { enrollments(first: 100, filter: { activityId: $a }) { edges { node { id } } } }`,
      { a: g('Activity', t.confirmedActivity) },
    );
    return data?.enrollments.edges.some((e) => e.node.id === g('Enrollment', t.enrollment))
      ? 'allow'
      : 'deny';
  },
};

export const area: MatrixArea = { rows, operations };
