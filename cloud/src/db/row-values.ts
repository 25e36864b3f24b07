/** Conversions between PostgreSQL row values and API values, identical for PGlite and `pg`. */

/** timestamptz → ISO-8601 string (both drivers return Date; tolerate strings). */
export function isoTime(v: unknown): string {
  return v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();
}

export function isoTimeOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : isoTime(v);
}

/** A value for a `$n::jsonb` parameter: sent as JSON text so both drivers treat it the same way. */
export function jsonParam(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}

/**
 * A query parameter as PostgreSQL text, the way `pg` sends parameters (with unspecified types, so the
 * server infers them from the statement): the PGlite back-end sends them the same way, so one SQL text
 * means the same on both. null/undefined → NULL; arrays → array literals; objects → JSON.
 */
export function textParam(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return arrayLiteral(v);
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString('hex')}`;
  return JSON.stringify(v);
}

/** `{"a","b \"c\""}`: every element quoted and escaped, NULL unquoted, nested arrays nested. */
function arrayLiteral(items: readonly unknown[]): string {
  const element = (e: unknown): string => {
    if (e === null || e === undefined) return 'NULL';
    if (Array.isArray(e)) return arrayLiteral(e);
    return `"${textParam(e)!.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  };
  return `{${items.map(element).join(',')}}`;
}
