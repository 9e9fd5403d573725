import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';

/**
 * PostgreSQL text cannot hold the NUL character (U+0000): a parameter containing one fails the
 * statement with "invalid byte sequence for encoding UTF8: 0x00", which reached clients as an
 * internal error (found by fuzzing, issue 7 point 3; e.g. `login(username: "admin\u0000")`).
 * No field of the registry means anything with it, so a request carrying one anywhere — in a
 * variable or in a string literal of the document — is refused before any resolver runs, with
 * the place named, instead of every resolver checking every string.
 *
 * Files travel as base64 and are checked by their own parsers, since their bytes may be any.
 */

/** Where the first string holding U+0000 is in a JSON value (`input.entries.2.reason`), or null. */
export function findNulCharacter(value: unknown, root: string): string | null {
  // Iterative: a variables map may nest up to the body depth limit, and keys count too.
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: root }];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (typeof next.value === 'string') {
      if (next.value.includes('\u0000')) return next.path;
    } else if (next.value !== null && typeof next.value === 'object') {
      for (const [key, child] of Object.entries(next.value)) {
        const path = `${next.path}.${key}`;
        if (key.includes('\u0000')) return path;
        pending.push({ value: child, path });
      }
    }
  }
  return null;
}

function literalWithNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (node.value.includes('\u0000')) found = true;
    },
  });
  return found;
}

function refusal(place: string): GraphQLError {
  return new GraphQLError(
    `${place} contains the NUL character (U+0000), which text cannot hold; remove it.`,
    { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } },
  );
}

/** Refuses, with a 400, requests whose variables or string literals hold U+0000. */
export const refuseNulCharacters: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request, document }) {
        for (const [name, value] of Object.entries(request.variables ?? {})) {
          const path = findNulCharacter(value, name);
          if (path) throw refusal(`Variable "$${name}" at ${path}`);
        }
        if (literalWithNul(document)) throw refusal('A string in the document');
      },
    };
  },
};
