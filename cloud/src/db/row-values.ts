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
