import { type Static, Type } from '@sinclair/typebox';

/** Escalation deadlines of one kind (and severity) of case, in seconds (config `escalation.deadlines`). */
export const DeadlinesSchema = Type.Object(
  {
    ackS: Type.Number({ minimum: 1, description: 'a dispatched worker must acknowledge within this' }),
    level2S: Type.Number({ minimum: 1, description: 'from opening to level 2 when nobody has acknowledged' }),
    level3S: Type.Number({
      minimum: 1,
      description: 'from level 2 to level 3 (emergency) when still nobody has',
    }),
  },
  { additionalProperties: false },
);
export type Deadlines = Static<typeof DeadlinesSchema>;
/** The deadlines table: '<kind>/<severity>', '<kind>' or 'default' → deadlines. */
export type DeadlinesTable = Readonly<Record<string, Deadlines>>;

/** Fallback when the config has no `default` entry. */
const BUILT_IN: Deadlines = { ackS: 600, level2S: 1800, level3S: 1800 };

/** The deadlines for a case: `<kind>/<severity>`, then `<kind>`, then `default` (config `escalation.deadlines`). */
export function deadlinesFor(table: DeadlinesTable, kind: string, severity: string): Deadlines {
  return table[`${kind}/${severity}`] ?? table[kind] ?? table.default ?? BUILT_IN;
}

export const addSeconds = (at: Date, s: number) => new Date(at.getTime() + s * 1000);
