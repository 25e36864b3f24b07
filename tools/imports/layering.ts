import type { CrossImport } from './import-graph.ts';

/** Parts that import each other round a cycle (Tarjan's strongly connected components of size > 1). */
export function cycles(imports: readonly CrossImport[]): string[][] {
  const adj = new Map<string, Set<string>>();
  for (const i of imports) {
    if (!adj.has(i.from)) adj.set(i.from, new Set());
    if (!adj.has(i.to)) adj.set(i.to, new Set());
    adj.get(i.from)!.add(i.to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of adj.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of [...adj.keys()].sort()) if (!index.has(v)) visit(v);
  return out.sort((p, q) => p[0]!.localeCompare(q[0]!));
}

/** Exact search is 2^n · n²: fine up to about 20 parts in one cycle. */
const EXACT_MAX = 20;

/**
 * The layering of one cycle's parts (top first) that leaves the fewest imports pointing back up, and those
 * imports. Exact (dynamic programming over subsets) up to EXACT_MAX parts; beyond that, greedy (each step
 * takes the part with the fewest imports back into those already placed), which may overcount.
 */
export function bestLayering(
  parts: readonly string[],
  imports: readonly CrossImport[],
): { order: string[]; back: CrossImport[]; exact: boolean } {
  const n = parts.length;
  const ix = new Map(parts.map((p, i) => [p, i]));
  const w = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const i of imports) {
    const a = ix.get(i.from);
    const b = ix.get(i.to);
    if (a !== undefined && b !== undefined) w[a]![b]! += 1;
  }
  // Placing v below the set S (already above it) costs every import from v up into S.
  const costInto = (v: number, S: number) => {
    let c = 0;
    for (let u = 0; u < n; u++) if (S & (1 << u)) c += w[v]![u]!;
    return c;
  };
  let order: number[];
  const exact = n <= EXACT_MAX;
  if (exact) {
    const best = new Float64Array(1 << n).fill(Number.POSITIVE_INFINITY);
    const last = new Int8Array(1 << n).fill(-1);
    best[0] = 0;
    for (let S = 0; S < 1 << n; S++) {
      if (best[S] === Number.POSITIVE_INFINITY) continue;
      for (let v = 0; v < n; v++) {
        if (S & (1 << v)) continue;
        const T = S | (1 << v);
        const c = best[S]! + costInto(v, S);
        if (c < best[T]!) {
          best[T] = c;
          last[T] = v;
        }
      }
    }
    order = [];
    for (let S = (1 << n) - 1; S; S &= ~(1 << last[S]!)) order.unshift(last[S]!);
  } else {
    order = [];
    let S = 0;
    while (order.length < n) {
      let pick = -1;
      for (let v = 0; v < n; v++) {
        if (S & (1 << v)) continue;
        if (pick < 0 || costInto(v, S) < costInto(pick, S)) pick = v;
      }
      order.push(pick);
      S |= 1 << pick;
    }
  }
  const rank = new Map(order.map((v, r) => [parts[v]!, r]));
  const back = imports.filter((i) => {
    const a = rank.get(i.from);
    const b = rank.get(i.to);
    return a !== undefined && b !== undefined && b < a;
  });
  return { order: order.map((v) => parts[v]!), back, exact };
}

/** Every import that points back up in the best layering of each cycle. */
export function backImports(imports: readonly CrossImport[]) {
  return cycles(imports).map((parts) => ({ parts, ...bestLayering(parts, imports) }));
}
