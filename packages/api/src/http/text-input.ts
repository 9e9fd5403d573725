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
 * The same holds for an unpaired UTF-16 surrogate (`"\ud800"` in JSON): it has no UTF-8 form, and
 * PostgreSQL's jsonb refuses it when the audit log records the input (found by fuzzing too).
 *
 * Files travel as base64 and are checked by their own parsers, since their bytes may be any.
 */

/** U+0000, a high surrogate not followed by a low one, or a low one not preceded by a high one. */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this looks for.
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function describe(text: string): string {
  return text.includes('\u0000')
    ? 'the NUL character (U+0000)'
    : 'an unpaired UTF-16 surrogate (not a character)';
}

/**
 * Where the first string holding U+0000 or an unpaired surrogate is in a JSON value
 * (`input.entries.2.reason`) and what it holds, or null.
 */
export function findNulCharacter(
  value: unknown,
  root: string,
): { path: string; what: string } | null {
  // Iterative: a variables map may nest up to the body depth limit, and keys count too.
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: root }];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (typeof next.value === 'string') {
      if (unstorable.test(next.value)) return { path: next.path, what: describe(next.value) };
    } else if (next.value !== null && typeof next.value === 'object') {
      for (const [key, child] of Object.entries(next.value)) {
        const path = `${next.path}.${key}`;
        if (unstorable.test(key)) return { path, what: describe(key) };
        pending.push({ value: child, path });
      }
    }
  }
  return null;
}

/**
 * Per parsed document: Apollo keeps parsed documents in its store and hands the same object to
 * every request with that query, so the walk over the document happens once, not per request.
 */
const literalFindings = new WeakMap<DocumentNode, string | null>();

function literalWithNul(document: DocumentNode): string | null {
  const known = literalFindings.get(document);
  if (known !== undefined) return known;
  let found: string | null = null;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (!found && unstorable.test(node.value)) found = describe(node.value);
    },
  });
  literalFindings.set(document, found);
  return found;
}

function refusal(place: string, what: string): GraphQLError {
  return new GraphQLError(`${place} contains ${what}, which text cannot hold; remove it.`, {
    extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
  });
}

/** Refuses, with a 400, requests whose variables or string literals hold U+0000. */
export const refuseNulCharacters: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request, document }) {
        for (const [name, value] of Object.entries(request.variables ?? {})) {
          const found = findNulCharacter(value, name);
          if (found) throw refusal(`Variable "$${name}" at ${found.path}`, found.what);
        }
        const literal = literalWithNul(document);
        if (literal) throw refusal('A string in the document', literal);
      },
    };
  },
};
