import { describe, expect, it } from 'vitest';
import type { ActivityStatus } from '../vocabulary/vocabulary';
import {
  decideAmendment,
  decideRosterConfirmation,
  decideSchoolConfirmation,
  describeChainRefusal,
  linksSupersededByAmendment,
  nextRevision,
  type ChainRefusal,
  type SchoolOnRoster,
} from './confirmation-chain';

const code = (d: { ok: true } | { ok: false; refusal: ChainRefusal }) =>
  d.ok ? 'ok' : d.refusal.code;

describe('decideSchoolConfirmation', () => {
  it.each<[ActivityStatus, number, boolean, string]>([
    ['in_progress', 3, false, 'ok'],
    ['closed', 3, false, 'ok'],
    ['credited', 3, false, 'ok'], // re-confirmation after an amendment
    ['open', 3, false, 'ACTIVITY_NOT_CONFIRMABLE'],
    ['archived', 3, false, 'ACTIVITY_NOT_CONFIRMABLE'],
    ['closed', 3, true, 'ALREADY_CONFIRMED'],
    ['closed', 0, false, 'NO_PARTICIPANTS'],
  ])('%s, %i participants, standing %s → %s', (status, participants, confirmed, expected) => {
    expect(code(decideSchoolConfirmation(status, { participants, confirmed }))).toBe(expected);
  });
});

const school = (id: number, participants: number, confirmed: boolean): SchoolOnRoster => ({
  id,
  name: `School ${id}`,
  participants,
  confirmed,
});

describe('decideRosterConfirmation', () => {
  it.each<[string, ActivityStatus, boolean, SchoolOnRoster[], string]>([
    ['every school confirmed', 'closed', false, [school(1, 2, true), school(2, 1, true)], 'ok'],
    ['still in progress', 'in_progress', false, [school(1, 2, true)], 'ACTIVITY_NOT_CONFIRMABLE'],
    ['already confirmed', 'closed', true, [school(1, 2, true)], 'ALREADY_CONFIRMED'],
    [
      'one school missing',
      'closed',
      false,
      [school(1, 2, true), school(2, 1, false)],
      'SCHOOLS_NOT_CONFIRMED',
    ],
    [
      'a school without participants is not waited for',
      'closed',
      false,
      [school(1, 2, true), school(2, 0, false)],
      'ok',
    ],
    ['re-confirmation after an amendment', 'credited', false, [school(1, 2, true)], 'ok'],
    [
      'an amendment superseded a school link',
      'credited',
      false,
      [school(1, 2, false)],
      'SCHOOLS_NOT_CONFIRMED',
    ],
    ['an empty roster', 'closed', false, [], 'ok'],
  ])('%s', (_name, status, officeConfirmed, schools, expected) => {
    expect(code(decideRosterConfirmation(status, officeConfirmed, schools))).toBe(expected);
  });

  it('lists every missing school and names them in both languages', () => {
    const decision = decideRosterConfirmation('closed', false, [
      school(1, 2, false),
      school(2, 1, true),
      school(3, 4, false),
    ]);
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.refusal).toEqual({
      code: 'SCHOOLS_NOT_CONFIRMED',
      schools: [
        { id: 1, name: 'School 1' },
        { id: 3, name: 'School 3' },
      ],
    });
    expect(describeChainRefusal(decision.refusal, 'en')).toContain('School 1 and School 3');
    expect(describeChainRefusal(decision.refusal, 'zh-CN')).toContain('School 1和School 3');
  });
});

describe('decideAmendment', () => {
  const present = { status: 'present' as const, minutes: 120 };
  it.each<
    [string, ActivityStatus, boolean, { status: 'present' | 'absent'; minutes: number }, string]
  >([
    ['after confirmation', 'closed', true, { status: 'absent', minutes: 0 }, 'ok'],
    ['after crediting', 'credited', true, { status: 'absent', minutes: 0 }, 'ok'],
    ['only the minutes', 'closed', true, { status: 'present', minutes: 90 }, 'ok'],
    [
      'before any confirmation',
      'closed',
      false,
      { status: 'absent', minutes: 0 },
      'NOT_CONFIRMED_YET',
    ],
    ['archived', 'archived', true, { status: 'absent', minutes: 0 }, 'ACTIVITY_NOT_CONFIRMABLE'],
    ['changing nothing', 'closed', true, { status: 'present', minutes: 120 }, 'NO_CHANGE'],
  ])('%s → %s', (_name, status, everConfirmed, after, expected) => {
    expect(code(decideAmendment(status, everConfirmed, present, after))).toBe(expected);
  });
});

describe('linksSupersededByAmendment', () => {
  it("supersedes the amended school's link and the office's, not other schools'", () => {
    expect(
      linksSupersededByAmendment(
        [
          { id: 1, level: 'school', organizationId: 10 },
          { id: 2, level: 'school', organizationId: 11 },
          { id: 3, level: 'office', organizationId: 99 },
        ],
        10,
      ),
    ).toEqual([1, 3]);
  });

  it('supersedes nothing when nothing stands (amended twice before re-confirming)', () => {
    expect(linksSupersededByAmendment([], 10)).toEqual([]);
  });
});

describe('nextRevision', () => {
  it.each<[number[], number]>([
    [[], 1],
    [[1], 2],
    [[1, 2, 3], 4],
  ])('%j → %i', (revisions, expected) => {
    expect(nextRevision(revisions)).toBe(expected);
  });
});

describe('describeChainRefusal', () => {
  it('says why in both languages for every refusal', () => {
    const refusals: ChainRefusal[] = [
      { code: 'ACTIVITY_NOT_CONFIRMABLE', status: 'open', allowed: ['closed', 'credited'] },
      { code: 'NO_PARTICIPANTS' },
      { code: 'ALREADY_CONFIRMED', level: 'school' },
      { code: 'ALREADY_CONFIRMED', level: 'office' },
      { code: 'SCHOOLS_NOT_CONFIRMED', schools: [{ id: 1, name: '一小' }] },
      { code: 'NOT_CONFIRMED_YET' },
      { code: 'NO_CHANGE' },
    ];
    for (const refusal of refusals) {
      expect(describeChainRefusal(refusal, 'en')).toMatch(/^[A-Z]/);
      expect(describeChainRefusal(refusal, 'zh-CN')).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(describeChainRefusal(refusals[0]!, 'en')).toBe(
      'The activity is open for enrollment; this can be done only while it is closed or credited.',
    );
  });
});
