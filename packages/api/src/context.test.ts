import { expect, it } from 'vitest';
import { localeFrom } from './context';

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
