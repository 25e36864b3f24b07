import { EMOTIONS } from '../../edge/src/scoring/emotion/expressions.ts';

/** Confusion matrix [true][predicted] over EMOTIONS indices, and the figures read from it. */
export function confusionReport(truth: number[], predicted: number[]) {
  const k = EMOTIONS.length;
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  truth.forEach((t, i) => {
    (m[t] as number[])[predicted[i] as number]! += 1;
  });
  const recall = m.map((row, i) =>
    row.reduce((a, b) => a + b, 0) ? row[i]! / row.reduce((a, b) => a + b, 0) : 0,
  );
  const precision = EMOTIONS.map((_, j) => {
    const col = m.reduce((a, row) => a + row[j]!, 0);
    return col ? m[j]![j]! / col : 0;
  });
  const f1 = recall.map((r, i) =>
    r + precision[i]! > 0 ? (2 * r * precision[i]!) / (r + precision[i]!) : 0,
  );
  const correct = m.reduce((a, row, i) => a + row[i]!, 0);
  const present = m.map((row) => row.some((v) => v > 0));
  const n = truth.length;
  const macroF1 =
    f1.filter((_, i) => present[i]).reduce((a, b) => a + b, 0) / Math.max(1, present.filter(Boolean).length);
  return { matrix: m, recall, precision, f1, accuracy: n ? correct / n : 0, macroF1, n };
}

export function formatReport(r: ReturnType<typeof confusionReport>): string {
  const w = 9;
  const lines = [
    `${'class'.padEnd(w)} ${'n'.padStart(5)} ${'recall'.padStart(7)} ${'prec'.padStart(7)} ${'f1'.padStart(7)}`,
    ...EMOTIONS.map((c, i) => {
      const n = r.matrix[i]!.reduce((a, b) => a + b, 0);
      return `${c.padEnd(w)} ${String(n).padStart(5)} ${r.recall[i]!.toFixed(3).padStart(7)} ${r.precision[i]!.toFixed(3).padStart(7)} ${r.f1[i]!.toFixed(3).padStart(7)}`;
    }),
    '',
    `confusion (rows = true, columns = predicted)`,
    `${''.padEnd(w)} ${EMOTIONS.map((c) => c.slice(0, 7).padStart(8)).join('')}`,
    ...EMOTIONS.map((c, i) => `${c.padEnd(w)} ${r.matrix[i]!.map((v) => String(v).padStart(8)).join('')}`),
  ];
  return lines.join('\n');
}
