import { describe, expect, it } from 'vitest';
import { chunksOf, codeArray, eachChunkOverlapped, intArray } from './array-parameters';

describe('codeArray', () => {
  it.each([
    [[], '{}'],
    [['present'], '{present}'],
    [['present', 'late', 'present', 'online_platform'], '{present,late,present,online_platform}'],
  ])('spells %j as %s', (values, literal) => {
    expect(codeArray(values)).toBe(literal);
  });

  it.each([['NULL'], ['null'], [''], ['a b'], ['a,b'], ['"x"'], ['{x}'], ['Present'], ['x\\y']])(
    'refuses %j rather than send it unquoted',
    (value) => {
      expect(() => codeArray(['present', value])).toThrow(TypeError);
    },
  );
});

describe('intArray', () => {
  it('spells whole numbers and nulls as a PostgreSQL array literal', () => {
    expect(intArray([])).toBe('{}');
    expect(intArray([1, -2, null, 2 ** 40])).toBe('{1,-2,NULL,1099511627776}');
  });

  it('refuses what is not a whole number instead of rounding it into another id', () => {
    expect(() => intArray([1.5])).toThrow(/not a whole number: 1.5/);
    expect(() => intArray([Number.NaN])).toThrow(TypeError);
    expect(() => intArray([2 ** 60])).toThrow(TypeError);
  });
});

describe('chunksOf', () => {
  it.each([
    [[], 3, []],
    [[1, 2, 3], 3, [[1, 2, 3]]],
    [[1, 2, 3, 4, 5, 6, 7], 3, [[1, 2, 3], [4, 5, 6], [7]]],
  ])('%j in slices of %i', (list, size, expected) => {
    expect(chunksOf(list, size)).toEqual(expected);
  });

  it('keeps every element once, in order, at the default size', () => {
    const list = Array.from({ length: 25_001 }, (_, i) => i);
    const chunks = chunksOf(list);
    expect(chunks.map((c) => c.length)).toEqual([10_000, 10_000, 5_001]);
    expect(chunks.flat()).toEqual(list);
  });
});

/**
 * A stand-in for one connection: statements run one after the other in the order they were
 * handed over (as on a transaction's connection), each taking a few milliseconds.
 */
function oneConnection(fail?: (chunk: number) => boolean) {
  const events: string[] = [];
  let queue = Promise.resolve();
  const run = (chunk: number) => {
    events.push(`built ${chunk}`);
    const statement = queue.then(async () => {
      events.push(`start ${chunk}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`end ${chunk}`);
      if (fail?.(chunk)) throw new Error(`statement ${chunk} failed`);
      return chunk * 10;
    });
    queue = statement.then(
      () => undefined,
      () => undefined,
    );
    return statement;
  };
  return { events, run };
}

describe('eachChunkOverlapped', () => {
  it('hands every result over in chunk order, building the next chunk while one runs', async () => {
    const { events, run } = oneConnection();
    const taken: number[] = [];
    await eachChunkOverlapped([1, 2, 3], run, (result) => {
      events.push(`take ${result}`);
      taken.push(result);
    });
    expect(taken).toEqual([10, 20, 30]);
    // Chunk 2 is built while statement 1 runs; result 1 is read while statement 2 runs.
    expect(events.indexOf('built 2')).toBeLessThan(events.indexOf('end 1'));
    expect(events.indexOf('start 2')).toBeLessThan(events.indexOf('take 10'));
    expect(events.indexOf('take 10')).toBeLessThan(events.indexOf('end 2'));
  });

  it('does nothing for no chunks and runs a single chunk once', async () => {
    const { run } = oneConnection();
    const taken: number[] = [];
    await eachChunkOverlapped([], run, (r) => taken.push(r));
    await eachChunkOverlapped([7], run, (r) => taken.push(r));
    expect(taken).toEqual([70]);
  });

  it('throws the first failure, takes nothing after it and leaves no rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // Statement 1 fails; statement 2, already queued, fails after it (an aborted transaction).
      const { run } = oneConnection((chunk) => chunk >= 1);
      const taken: number[] = [];
      await expect(eachChunkOverlapped([1, 2, 3], run, (r) => taken.push(r))).rejects.toThrow(
        'statement 1 failed',
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(taken).toEqual([]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
