import { describe, expect, it } from 'vitest';
import { intArray } from './array-parameters';

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
