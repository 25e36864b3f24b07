import type { Deadlines } from '../config/config.schema.ts';

/** Fallback when the config has no `default` entry. */
const BUILT_IN: Deadlines = { ackS: 600, level2S: 1800, level3S: 1800 };

/** The deadlines for a case: `<kind>/<severity>`, then `<kind>`, then `default` (config `escalation.deadlines`). */
export function deadlinesFor(
  table: Readonly<Record<string, Deadlines>>,
  kind: string,
  severity: string,
): Deadlines {
  return table[`${kind}/${severity}`] ?? table[kind] ?? table.default ?? BUILT_IN;
}

export const addSeconds = (at: Date, s: number) => new Date(at.getTime() + s * 1000);
