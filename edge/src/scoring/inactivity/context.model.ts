import { BINS, MIN_GAP_MIN, silenceBin } from './routine.model.ts';

/**
 * How long silences last after a given last sign of life — the *context* of the silence: the role and room
 * of the device that last changed (`toilet_flush@toilet`, `bed:off@bedroom`, `motion@kitchen`), by the hour
 * the silence began (±3 h pooled). Devices are known only by the role and room the installer gave them, so
 * the same code serves a home of reed switches and one full of PIRs.
 *
 * Why: the hour alone mixes "stepped out of the bathroom into a room without sensors" with "sat down for the
 * evening film". After a flush in a home whose bathroom exit always trips another sensor within minutes, a
 * long silence is much stronger evidence than the same silence after the living-room door closed.
 */
const HOURS = 24;
const KERNEL = [0.15, 0.35, 0.7, 1, 0.7, 0.35, 0.15];
/** A home has a few dozen contexts; more (a misconfigured gateway) are not learned, to bound memory. */
const MAX_CONTEXTS = 64;

export interface ContextModelState {
  v: 1;
  /** [context, sparse [index, count] pairs, silences learned]. */
  contexts: [string, [number, number][], number][];
}

/** The context key of a sign of life: role (`:off` for a released mat or a closed door) and room. */
export function contextKey(role: string, active: boolean, room: string | undefined): string {
  return `${role}${active ? '' : ':off'}@${(room ?? '-').toLowerCase()}`;
}

export class ContextModel {
  private readonly counts = new Map<string, Float64Array>();
  private readonly learnedBy = new Map<string, number>();
  private readonly pooled = new Float64Array(BINS);

  /** Silences learned after this context (not decayed). */
  learned(ctx: string): number {
    return this.learnedBy.get(ctx) ?? 0;
  }

  /** Forgetting, applied by the owner with the routine model's daily factor. */
  decay(f: number): void {
    for (const a of this.counts.values()) for (let i = 0; i < a.length; i++) a[i] = (a[i] ?? 0) * f;
  }

  learn(ctx: string, hour: number, durationMin: number): void {
    if (durationMin < MIN_GAP_MIN) return;
    let a = this.counts.get(ctx);
    if (!a) {
      if (this.counts.size >= MAX_CONTEXTS) return;
      a = new Float64Array(HOURS * BINS);
      this.counts.set(ctx, a);
    }
    const i = hour * BINS + silenceBin(durationMin);
    a[i] = (a[i] ?? 0) + 1;
    this.learnedBy.set(ctx, (this.learnedBy.get(ctx) ?? 0) + 1);
  }

  /** Pooled (±3 h) counts of silences after `ctx` that began around `hour`; its mass is the evidence. */
  histogram(ctx: string, hour: number): { h: Float64Array; mass: number } {
    const out = this.pooled;
    out.fill(0);
    const a = this.counts.get(ctx);
    let mass = 0;
    if (!a) return { h: out, mass };
    const half = (KERNEL.length - 1) / 2;
    for (let d = -half; d <= half; d++) {
      const w = KERNEL[d + half] ?? 0;
      const base = ((hour + d + HOURS) % HOURS) * BINS;
      for (let k = 0; k < BINS; k++) {
        const c = w * (a[base + k] ?? 0);
        out[k] = (out[k] ?? 0) + c;
        mass += c;
      }
    }
    return { h: out, mass };
  }

  toJSON(): ContextModelState {
    const contexts: ContextModelState['contexts'] = [];
    for (const [ctx, a] of this.counts) {
      const pairs: [number, number][] = [];
      for (let i = 0; i < a.length; i++) {
        const c = a[i] ?? 0;
        if (c >= 1e-4) pairs.push([i, Math.round(c * 1e4) / 1e4]);
      }
      contexts.push([ctx, pairs, this.learnedBy.get(ctx) ?? 0]);
    }
    return { v: 1, contexts };
  }

  static fromJSON(state: ContextModelState | undefined): ContextModel {
    const m = new ContextModel();
    if (!state) return m;
    if (state.v !== 1) throw new Error(`context model state v${String(state.v)} is not supported`);
    for (const [ctx, pairs, learned] of state.contexts.slice(0, MAX_CONTEXTS)) {
      const a = new Float64Array(HOURS * BINS);
      for (const [i, c] of pairs) if (i >= 0 && i < a.length) a[i] = c;
      m.counts.set(ctx, a);
      m.learnedBy.set(ctx, learned);
    }
    return m;
  }
}
