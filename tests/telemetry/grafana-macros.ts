/**
 * The few Grafana macros our panels use, expanded as Grafana expands them, so tests can run the exact
 * query text of the dashboard JSON:
 * - InfluxDB: `$timeFilter` → `time >= <from>ms and time <= <to>ms`; `$__interval` → the interval.
 * - PostgreSQL: `$__timeFilter(col)` → `col BETWEEN '<from ISO>' AND '<to ISO>'`.
 * - Variables: `$name` / `${name}` → the raw value (our queries put quotes around them).
 */
export interface MacroContext {
  from: Date;
  to: Date;
  interval: string;
  variables: Record<string, string>;
}

function variables(q: string, vars: Record<string, string>): string {
  return q.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a?: string, b?: string) => {
    const name = (a ?? b)!;
    if (name.startsWith('__') || name === 'timeFilter') return m;
    const v = vars[name];
    if (v === undefined) throw new Error(`query uses $${name}, which the test does not set`);
    return v;
  });
}

export function expandInfluxql(q: string, ctx: MacroContext): string {
  const out = q
    .replaceAll('$timeFilter', `time >= ${ctx.from.getTime()}ms and time <= ${ctx.to.getTime()}ms`)
    .replaceAll('$__interval', ctx.interval);
  return variables(out, ctx.variables);
}

export function expandSql(q: string, ctx: MacroContext): string {
  const out = q
    .replace(
      /\$__timeFilter\(([^)]+)\)/g,
      (_m, col: string) => `${col.trim()} BETWEEN '${ctx.from.toISOString()}' AND '${ctx.to.toISOString()}'`,
    )
    .replaceAll('$__timeFrom()', `'${ctx.from.toISOString()}'`)
    .replaceAll('$__timeTo()', `'${ctx.to.toISOString()}'`);
  if (/\$__\w+/.test(out)) throw new Error(`unexpanded macro in: ${out}`);
  return variables(out, ctx.variables);
}
