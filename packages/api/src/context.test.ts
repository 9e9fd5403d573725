import { describe, expect, it } from 'vitest';
import { localeFrom, requestCache, type Context } from './context';

it.each([
  [undefined, 'en'],
  ['', 'en'],
  ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
  ['zh-TW', 'zh-CN'],
  ['en-US,en;q=0.9,zh;q=0.8', 'en'],
  ['fr-FR, zh;q=0.5', 'zh-CN'],
  ['en;q=0.1, zh;q=0.9', 'zh-CN'],
  ['zh;q=0, en', 'en'],
  ['de', 'en'],
])('Accept-Language %s → %s', (header, locale) => {
  expect(localeFrom(header)).toBe(locale);
});

describe('requestCache', () => {
  // Only `caches` is read: the helper keeps its value there and nowhere else.
  const request = () => ({ caches: new Map() }) as unknown as Context;

  it('creates once per request and keeps the value on that request', () => {
    let created = 0;
    const perRequest = requestCache(() => ({ n: ++created }));
    const a = request();
    const b = request();
    expect(perRequest(a)).toBe(perRequest(a));
    expect(perRequest(b)).not.toBe(perRequest(a));
    expect(created).toBe(2);
    expect([...a.caches.values()]).toEqual([{ n: 1 }]);
  });

  it('keeps a falsy value instead of creating it again', () => {
    let created = 0;
    const perRequest = requestCache(() => {
      created += 1;
      return null;
    });
    const a = request();
    expect(perRequest(a)).toBeNull();
    expect(perRequest(a)).toBeNull();
    expect(created).toBe(1);
  });

  it('two caches on one request do not share values', () => {
    const first = requestCache(() => 'first');
    const second = requestCache(() => 'second');
    const a = request();
    expect([first(a), second(a)]).toEqual(['first', 'second']);
  });
});
