import { describe, expect, it } from 'vitest';
import { SettledLoader } from './loaders';

/** A loader over a fixed table that counts its batches. */
function loaderOver(table: Record<number, string>) {
  const batches: number[][] = [];
  const loader = new SettledLoader<number, string>(async (keys) => {
    batches.push([...keys]);
    return keys.map((key) => table[key] ?? null);
  });
  return { loader, batches };
}

describe('SettledLoader', () => {
  it('answers with a promise until the row is loaded, then with the row itself', async () => {
    const { loader, batches } = loaderOver({ 1: 'one', 2: 'two' });
    const first = loader.now(1);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe('one');
    expect(loader.now(1)).toBe('one');
    expect(batches).toEqual([[1]]);
  });

  it('keeps a missing row as a known null, read once', async () => {
    const { loader, batches } = loaderOver({});
    expect(await loader.now(9)).toBeNull();
    expect(loader.now(9)).toBeNull();
    expect(batches).toEqual([[9]]);
  });

  it('batches the keys asked in one tick, as DataLoader does', async () => {
    const { loader, batches } = loaderOver({ 1: 'one', 2: 'two' });
    expect(await Promise.all([loader.now(1), loader.now(2), loader.now(1)])).toEqual([
      'one',
      'two',
      'one',
    ]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('answers a primed row at once, and keeps the first value primed, as DataLoader does', async () => {
    const { loader, batches } = loaderOver({ 1: 'one' });
    loader.prime(1, 'joined').prime(1, 'later');
    expect(loader.now(1)).toBe('joined');
    expect(await loader.load(1)).toBe('joined');
    expect(batches).toEqual([]);
  });

  it('forgets a cleared row: clear then prime replaces it in both caches', async () => {
    const { loader } = loaderOver({ 1: 'one' });
    expect(await loader.now(1)).toBe('one');
    loader.clear(1).prime(1, 'after');
    expect(loader.now(1)).toBe('after');
    expect(await loader.load(1)).toBe('after');
    loader.clearAll();
    expect(loader.now(1)).toBeInstanceOf(Promise);
  });

  it('does not take a primed promise or error as a settled row', async () => {
    const { loader } = loaderOver({ 1: 'one', 2: 'two' });
    loader.prime(1, Promise.resolve('pending')).prime(2, new Error('refused'));
    expect(loader.now(1)).toBeInstanceOf(Promise);
    expect(await loader.now(1)).toBe('pending');
    await expect(loader.now(2)).rejects.toThrow('refused');
  });
});
