import { describe, expect, it } from 'vitest';
import {
  checkinAlphabet,
  checkinCode,
  checkinStep,
  describeCheckinRefusal,
  normalizeCheckinCode,
  verifyCheckin,
  type VerifyOptions,
} from './checkin';

const secret = '9f2c4e1d8b7a6053f1e2d3c4b5a69788';
const at = (local: string) => new Date(`${local}+08:00`);
// A session from 09:00 to 12:00 Beijing time.
const session = {
  id: 42,
  secret,
  window: { startsAt: at('2026-03-02T09:00:00'), endsAt: at('2026-03-02T12:00:00') },
};

describe('checkinCode', () => {
  it('uses an alphabet of 32 unambiguous characters', () => {
    expect(new Set(checkinAlphabet).size).toBe(32);
    for (const lookAlike of ['0', 'O', '1', 'I']) expect(checkinAlphabet).not.toContain(lookAlike);
  });

  it.each([0, 1, 29_541_000, 29_541_001, 2 ** 31])(
    'step %i gives six alphabet characters',
    async (step) => {
      const code = await checkinCode(secret, 42, step);
      expect(code).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$/);
    },
  );

  it('is deterministic', async () => {
    expect(await checkinCode(secret, 42, 100)).toBe(await checkinCode(secret, 42, 100));
  });

  it.each<[string, [string, number, number]]>([
    ['the next step', [secret, 42, 101]],
    ['another session', [secret, 43, 100]],
    ['another secret', ['another-secret', 42, 100]],
  ])('differs for %s', async (_name, [s, id, step]) => {
    expect(await checkinCode(s, id, step)).not.toBe(await checkinCode(secret, 42, 100));
  });

  it('matches an independent HMAC-SHA-256 reading of the first 30 bits', async () => {
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const mac = new Uint8Array(
      await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('checkin:42:7')),
    );
    const bits = [...mac.slice(0, 4)].map((b) => b.toString(2).padStart(8, '0')).join('');
    const expected = [0, 1, 2, 3, 4, 5]
      .map((i) => checkinAlphabet[parseInt(bits.slice(i * 5, i * 5 + 5), 2)])
      .join('');
    expect(await checkinCode(secret, 42, 7)).toBe(expected);
  });

  it('spreads codes over the alphabet', async () => {
    const seen = new Set<string>();
    for (let step = 0; step < 200; step += 1) {
      for (const char of await checkinCode(secret, 1, step)) seen.add(char);
    }
    expect(seen.size).toBe(32);
  });
});

describe('checkinStep', () => {
  it.each<[string, number]>([
    ['1970-01-01T00:00:00Z', 0],
    ['1970-01-01T00:00:59.999Z', 0],
    ['1970-01-01T00:01:00Z', 1],
    ['2026-03-02T01:00:00Z', Date.UTC(2026, 2, 2, 1) / 60_000],
  ])('%s → %i', (iso, step) => {
    expect(checkinStep(new Date(iso))).toBe(step);
  });
});

describe('normalizeCheckinCode', () => {
  it.each([
    ['ab3-d7k', 'AB3D7K'],
    [' AB3 D7K ', 'AB3D7K'],
    ['ＡＢ３Ｄ７Ｋ', 'AB3D7K'],
    ['ab3\td7k', 'AB3D7K'],
  ])('%j → %j', (input, output) => {
    expect(normalizeCheckinCode(input)).toBe(output);
  });
});

describe('verifyCheckin', () => {
  const codeAt = async (moment: Date, offsetSteps = 0) =>
    checkinCode(secret, session.id, checkinStep(moment) + offsetSteps);

  it.each<[string, string, number, VerifyOptions, true | 'OUTSIDE_WINDOW' | 'WRONG_CODE']>([
    // name, now (Beijing), code of step now+offset, options → result
    ['current code at the start', '2026-03-02T09:00:00', 0, {}, true],
    ['current code mid-session', '2026-03-02T10:30:30', 0, {}, true],
    ['previous code (just rotated)', '2026-03-02T10:31:05', -1, {}, true],
    ['code from two minutes ago', '2026-03-02T10:32:00', -2, {}, 'WRONG_CODE'],
    ['two minutes ago with skew 2', '2026-03-02T10:32:00', -2, { skewSteps: 2 }, true],
    ['previous code with skew 0', '2026-03-02T10:31:05', -1, { skewSteps: 0 }, 'WRONG_CODE'],
    ['next minute’s code is never accepted', '2026-03-02T10:30:00', 1, {}, 'WRONG_CODE'],
    ['inside the grace before the start', '2026-03-02T08:45:00', 0, {}, true],
    ['just before the grace', '2026-03-02T08:44:59', 0, {}, 'OUTSIDE_WINDOW'],
    ['at the end', '2026-03-02T12:00:00', 0, {}, true],
    ['at the end of the grace', '2026-03-02T12:15:00', 0, {}, true],
    ['just after the grace', '2026-03-02T12:15:01', 0, {}, 'OUTSIDE_WINDOW'],
    [
      'no grace: one second early',
      '2026-03-02T08:59:59',
      0,
      { graceBeforeMinutes: 0 },
      'OUTSIDE_WINDOW',
    ],
    [
      'no grace: one second late',
      '2026-03-02T12:00:01',
      0,
      { graceAfterMinutes: 0 },
      'OUTSIDE_WINDOW',
    ],
    ['wider grace', '2026-03-02T08:31:00', 0, { graceBeforeMinutes: 30 }, true],
    ['the next day', '2026-03-03T10:30:00', 0, {}, 'OUTSIDE_WINDOW'],
  ])('%s', async (_name, now, offset, options, expected) => {
    const moment = at(now);
    const result = await verifyCheckin(await codeAt(moment, offset), moment, session, options);
    if (expected === true) {
      expect(result).toEqual({ ok: true, timeStep: checkinStep(moment) + offset });
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.refusal.code).toBe(expected);
    }
  });

  it.each([
    ['empty', ''],
    ['too short', 'AB3D7'],
    ['too long', 'AB3D7KX'],
    ['right length, wrong letters', '000000'],
    ['Chinese text', '签到码签到码'],
  ])('refuses a malformed code: %s', async (_name, code) => {
    const result = await verifyCheckin(code, at('2026-03-02T10:00:00'), session);
    expect(result).toEqual({ ok: false, refusal: { code: 'WRONG_CODE' } });
  });

  it('accepts the code typed in lower case with a dash', async () => {
    const moment = at('2026-03-02T10:00:00');
    const code = await codeAt(moment);
    const typed = `${code.slice(0, 3)}-${code.slice(3)}`.toLowerCase();
    expect((await verifyCheckin(typed, moment, session)).ok).toBe(true);
  });

  it('refuses the right code of another session', async () => {
    const moment = at('2026-03-02T10:00:00');
    const other = await checkinCode(secret, 43, checkinStep(moment));
    expect((await verifyCheckin(other, moment, session)).ok).toBe(false);
  });

  it('says when check-in opens and closes', async () => {
    const result = await verifyCheckin('AAAAAA', at('2026-03-02T07:00:00'), session);
    expect(result).toEqual({
      ok: false,
      refusal: {
        code: 'OUTSIDE_WINDOW',
        opensAt: at('2026-03-02T08:45:00'),
        closesAt: at('2026-03-02T12:15:00'),
      },
    });
  });
});

describe('describeCheckinRefusal', () => {
  const hhmm = (d: Date) => d.toISOString().slice(11, 16);
  it.each([
    [
      {
        code: 'OUTSIDE_WINDOW',
        opensAt: new Date('2026-03-02T00:45:00Z'),
        closesAt: new Date('2026-03-02T04:15:00Z'),
      },
      'Check-in is open from 00:45 to 04:15; it is not open now.',
      '签到时间为 00:45 至 04:15，当前不在签到时间内。',
    ],
    [
      { code: 'WRONG_CODE' },
      'The check-in code is wrong or has expired; type the code shown on the screen now.',
      '签到码不正确或已过期，请输入屏幕上当前显示的签到码。',
    ],
  ] as const)('%j', (refusal, en, zh) => {
    expect(describeCheckinRefusal(refusal, 'en', hhmm)).toBe(en);
    expect(describeCheckinRefusal(refusal, 'zh-CN', hhmm)).toBe(zh);
  });
});
