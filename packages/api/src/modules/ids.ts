import { GraphQLError } from 'graphql';
import { decodeGlobalID } from '../builder';

/** Local part of a global ID: a positive integer, or the ID is refused as bad input. */
export function parseIntId(id: string): number {
  if (/^[1-9][0-9]{0,9}$/.test(id)) {
    const value = Number(id);
    if (value <= 2_147_483_647) return value;
  }
  throw new GraphQLError('ID is not valid', { extensions: { code: 'BAD_USER_INPUT' } });
}

/**
 * The database id inside a global ID argument, checked against the expected type; null when the
 * ID is malformed or names another type (callers report that as a field issue).
 */
export function localIdOf(globalId: string, typename: string): number | null {
  try {
    const { typename: actual, id } = decodeGlobalID(globalId);
    return actual === typename ? parseIntId(id) : null;
  } catch {
    return null;
  }
}
