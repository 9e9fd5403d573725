import { describe, expect, it } from 'vitest';
import { base64OfAscii, encodeGlobalID } from './global-id';

const byBuffer = (text: string) => Buffer.from(text).toString('base64');

describe('base64OfAscii', () => {
  it.each(['', 'a', 'ab', 'abc', 'abcd', 'Teacher:1', 'Attendance:123456789', '~\x7f\x00 +/='])(
    'encodes %j as Buffer does',
    (text) => {
      expect(base64OfAscii(text)).toBe(byBuffer(text));
    },
  );
});

describe('encodeGlobalID', () => {
  // Typenames of every length modulo 3, so each shape of cached head and tail is used.
  const typenames = [
    'A',
    'Ab',
    'Abc',
    'Session',
    'Teacher',
    'Trainer',
    'Attendance',
    'Organization',
  ];
  const ids = [1, 9, 10, 99, 100, 12345, 999_999, 2_147_483_647];

  it.each(typenames)(
    'writes %s ids as the Relay plugin does (Buffer base64 of Typename:id)',
    (typename) => {
      for (const id of ids) {
        expect(encodeGlobalID(typename, id)).toBe(byBuffer(`${typename}:${id}`));
        expect(encodeGlobalID(typename, String(id))).toBe(byBuffer(`${typename}:${id}`));
        expect(encodeGlobalID(typename, BigInt(id))).toBe(byBuffer(`${typename}:${id}`));
      }
    },
  );

  it('agrees with Buffer over a sweep of ids, the cache warm', () => {
    for (let id = 1; id < 50_000; id += 7) {
      expect(encodeGlobalID('Attendance', id)).toBe(byBuffer(`Attendance:${id}`));
    }
  });

  it('takes the general path for characters beyond ASCII', () => {
    expect(encodeGlobalID('Teacher', '教师')).toBe(byBuffer('Teacher:教师'));
    expect(encodeGlobalID('Tëacher', 5)).toBe(byBuffer('Tëacher:5'));
  });
});
