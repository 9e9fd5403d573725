import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { Client, fetchExchange } from 'urql';
import type { Cache } from '@urql/exchange-graphcache';
import { embeddedTypes, possibleTypes } from './embedded-types.generated';

/** Types without an `id` live inside their parent in the normalized cache. */
const keys = Object.fromEntries(embeddedTypes.map((name) => [name, () => null]));

/**
 * One client per page load. The session travels as the HttpOnly cookie the gateway sets at
 * login; the language goes as Accept-Language so API messages match the screen.
 */
export function createClient(locale: () => string): Client {
  return new Client({
    url: '/graphql',
    exchanges: [
      cacheExchange({
        keys,
        possibleTypes,
        resolvers: { Query: { activities: relayPagination() } },
        updates: {
          Mutation: {
            // Signing in or out changes what every list shows: start from an empty cache.
            login: (_result, _args, cache) => forgetEverything(cache),
            logout: (_result, _args, cache) => forgetEverything(cache),
            createActivity: (_result, _args, cache) => forget(cache, 'activities'),
          },
        },
      }),
      fetchExchange,
    ],
    fetchOptions: () => ({
      credentials: 'same-origin',
      headers: { 'accept-language': locale() },
    }),
    requestPolicy: 'cache-and-network',
    // POST with a JSON body: the gateway's CSRF prevention refuses simple GET requests.
    preferGetMethod: false,
  });
}

/** Drops every cached root field, so each screen refetches what the new caller may see. */
function forgetEverything(cache: Cache): void {
  for (const field of cache.inspectFields('Query')) cache.invalidate('Query', field.fieldKey);
}

function forget(cache: Cache, fieldName: string): void {
  for (const field of cache.inspectFields('Query')) {
    if (field.fieldName === fieldName) cache.invalidate('Query', field.fieldKey);
  }
}
