/**
 * The last N run lengths of one kind (water draws, cooker sessions): enough to learn "usual" per home,
 * small enough to persist as JSON.
 */
export class RunDurations {
  private readonly values: number[];
  constructor(
    private readonly capacity = 200,
    values: number[] = [],
  ) {
    this.values = values.slice(-capacity);
  }
  get count(): number {
    return this.values.length;
  }
  add(min: number): void {
    this.values.push(Math.round(min * 10) / 10);
    if (this.values.length > this.capacity) this.values.shift();
  }
  /** The q-quantile in minutes, or undefined with fewer than `minCount` runs learned. */
  quantile(q: number, minCount: number): number | undefined {
    if (this.values.length < minCount) return undefined;
    const sorted = [...this.values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }
  toJSON(): number[] {
    return [...this.values];
  }
}
