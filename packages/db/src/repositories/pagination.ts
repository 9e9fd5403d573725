/**
 * Keyset pagination shared by every list: a cursor encodes the sort key of the last row seen,
 * so pages stay stable while rows are inserted and cost the same on page 1 and page 10,000.
 * Cursors are opaque to clients (base64url JSON) and validated on the way back in.
 */
export interface PageRequest {
  first: number;
  after?: string | null | undefined;
}

export interface Page<T> {
  rows: T[];
  hasNextPage: boolean;
  cursorOf(row: T): string;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not valid');
  }
}

export function encodeCursor(key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, shape: ReadonlyArray<'string' | 'number'>) {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === shape.length &&
      key.every((part, i) => typeof part === shape[i])
    ) {
      return key as Array<string | number>;
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

export const maxPageSize = 100;
