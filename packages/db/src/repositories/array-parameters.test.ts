import { describe, expect, it } from 'vitest';
import { chunksOf, intArray } from './array-parameters';

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
