import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseTimestamptz } from './timestamptz';

const postgresDate = pg.types.getTypeParser(1184) as (text: string) => unknown;
const parse = (text: string) => parseTimestamptz(text, postgresDate);
const time = (value: unknown) => (value instanceof Date ? value.getTime() : value);

describe('parseTimestamptz', () => {
  it.each([
    '2026-05-01 09:00:00+08',
    '2026-05-01 09:00:00+00',
    '2026-05-01 09:00:00-03',
    '2026-05-01 09:00:00.5+08',
    '2026-05-01 09:00:00.123+08',
    '2026-05-01 09:00:00.123456+08',
    '2026-05-01 09:00:00.999999-11',
    '2026-05-01 09:00:00+05:30',
    '2026-05-01 09:00:00.25-09:30',
    '1883-11-18 12:00:00+07:36:42',
    '2024-02-29 23:59:59.999+14',
    '1970-01-01 00:00:00+00',
    '9999-12-31 23:59:59.999999+00',
    '0100-01-01 00:00:00+00',
  ])('reads %s as pg does', (text) => {
    expect(time(parse(text))).toBe(time(postgresDate(text)));
    expect(parse(text)).toBeInstanceOf(Date);
  });

  it.each([
    'infinity',
    '-infinity',
    '0010-01-01 00:00:00+00 BC',
    '0099-06-01 00:00:00+00',
    '12345-01-01 00:00:00+00',
    '2026-05-01T09:00:00+08',
    '2026-05-01 09:00:00',
    '2026-05-01 09:00:00+8',
    '2026-05-01 09:00:00+08:3',
    '2026-0a-01 09:00:00+08',
  ])('hands %s to pg’s parser', (text) => {
    expect(time(parseTimestamptz(text, () => 'fallback'))).toBe('fallback');
  });

  it('agrees with pg on 20,000 random timestamps and offsets', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const two = (n: number) => String(n).padStart(2, '0');
    for (let k = 0; k < 20_000; k += 1) {
      const fraction =
        next(3) === 0
          ? ''
          : `.${String(next(1_000_000))
              .padStart(6, '0')
              .slice(0, 1 + next(6))}`;
      const offset = `${next(2) ? '+' : '-'}${two(next(15))}${next(4) === 0 ? `:${two(next(60))}` : ''}`;
      const text = `${1900 + next(200)}-${two(1 + next(12))}-${two(1 + next(28))} ${two(next(24))}:${two(next(60))}:${two(next(60))}${fraction}${offset}`;
      expect(time(parse(text)), text).toBe(time(postgresDate(text)));
    }
  });
});
