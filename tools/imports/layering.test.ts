import { describe, expect, it } from 'vitest';
import type { CrossImport } from './import-graph.ts';
import { backImports, cycles } from './layering.ts';

const imp = (from: string, to: string, n = 1): CrossImport[] =>
  Array.from({ length: n }, (_, k) => ({
    from,
    to,
    file: `${from}/x.ts`,
    line: k + 1,
    specifier: `../${to}`,
  }));

describe('imports that run back up between the parts of a tree', () => {
  it('finds none when the parts form layers', () => {
    const layered = [...imp('app', 'cases'), ...imp('cases', 'db', 3), ...imp('app', 'db')];
    expect(cycles(layered)).toEqual([]);
    expect(backImports(layered)).toEqual([]);
  });

  it('counts the lighter direction of a two-part cycle: 1 import back against 3 down', () => {
    const [c] = backImports([...imp('cases', 'escalation', 3), ...imp('escalation', 'cases')]);
    expect(c!.order).toEqual(['cases', 'escalation']);
    expect(c!.back.map((i) => `${i.from}→${i.to}`)).toEqual(['escalation→cases']);
  });

  it('picks the layering with the fewest back imports in a three-part cycle, not the first order it meets', () => {
    // a → b (2), b → c (2), c → a (1): the best layers are a > b > c with one import (c → a) back up.
    const found = backImports([...imp('a', 'b', 2), ...imp('b', 'c', 2), ...imp('c', 'a')]);
    expect(found).toHaveLength(1);
    expect(found[0]!.order).toEqual(['a', 'b', 'c']);
    expect(found[0]!.back).toHaveLength(1);
    expect(found[0]!.exact).toBe(true);
  });

  it('keeps separate cycles apart and leaves parts outside any cycle alone', () => {
    const found = backImports([
      ...imp('a', 'b'),
      ...imp('b', 'a', 2),
      ...imp('x', 'y'),
      ...imp('y', 'x'),
      ...imp('a', 'x', 5), // between the two cycles, one way: not back
    ]);
    expect(found.map((c) => c.parts)).toEqual(
      [
        ['a', 'b'],
        ['x', 'y'],
      ].sort(),
    );
    expect(found.flatMap((c) => c.back)).toHaveLength(2);
  });
});
