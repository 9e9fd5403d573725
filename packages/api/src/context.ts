import type { Account, DB, Visibility } from '@registry/db';
import type { Kysely } from 'kysely';
import type { SessionCache } from './auth/session-cache';
import { visibilityOf } from './auth/visibility';
import type { Logger } from './logger';
import { createLoaders, type Loaders } from './loaders';

export type Locale = 'en' | 'zh-CN';

/** Everything a resolver may use. Built fresh for every request; nothing survives it. */
export interface Context {
  db: Kysely<DB>;
  requestId: string;
  locale: Locale;
  log: Logger;
  /** The signed-in account with its memberships, or null for anonymous callers. */
  viewer: Account | null;
  /** What the viewer may see; every repository read is filtered by it. */
  visibility: Visibility;
  /** The token this request authenticated with (to revoke it on logout). */
  sessionToken: string | null;
  /** This process's cache of looked-up sessions (logout forgets its own at once). */
  sessions: SessionCache;
  /** Set-Cookie values to send with the response (login, logout). */
  responseCookies: string[];
  secureCookies: boolean;
  /** The peer address, for throttling sign-in attempts. */
  clientAddress: string;
  loaders: Loaders;
}

export function createContext(
  input: Omit<Context, 'loaders' | 'visibility' | 'responseCookies'>,
): Context {
  const visibility = visibilityOf(input.viewer);
  return {
    ...input,
    visibility,
    responseCookies: [],
    loaders: createLoaders(input.db, visibility),
  };
}

/** Picks Simplified Chinese when the client prefers any Chinese; English otherwise. */
export function localeFrom(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}
