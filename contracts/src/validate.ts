import type { Static, TSchema } from '@sinclair/typebox';
import { FormatRegistry } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { AlertEvent, Command, Heartbeat, ResidentDaily } from './events.ts';
import { BundleIndex, CommandResult } from './model-update.ts';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));
}

/** Largest payload either side accepts on a contract topic. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

export type Rejection = { ok: false; reason: RejectReason; detail: string };
export type RejectReason = 'too_large' | 'not_json' | 'schema' | 'bad_text';

/** A NUL character or a lone UTF-16 surrogate: valid JSON, but PostgreSQL cannot store it (text, jsonb). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the NUL character is the point.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether any string (value or key) in a parsed JSON value holds text the database would refuse. Checked
 * at every boundary before a write: such a message would otherwise fail its commit again on every resend.
 * Iterative, so a deeply nested hostile document cannot overflow the stack.
 */
export function findUnstorableText(value: unknown): string | undefined {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: '' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return path || '/';
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (UNSTORABLE.test(k)) return `${path}/${k.replace(UNSTORABLE, '?')}`;
        stack.push({ v: child, path: `${path}/${k}` });
      }
    }
  }
  return undefined;
}
export type Parsed<T> = { ok: true; value: T } | Rejection;

/** A compiled parser for one contract schema: bytes → typed value, or a reason. Never throws. */
export function contractParser<S extends TSchema>(schema: S) {
  const check = TypeCompiler.Compile(schema);
  return (payload: Uint8Array | string): Parsed<Static<S>> => {
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
    if (size > MAX_PAYLOAD_BYTES) return { ok: false, reason: 'too_large', detail: `${size} bytes` };
    // A view of the bytes, not a copy (Buffer.from(Uint8Array) copies; the broker hands us a Buffer).
    const text =
      typeof payload === 'string'
        ? payload
        : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { ok: false, reason: 'not_json', detail: (err as Error).message };
    }
    if (check.Check(value)) {
      // Decoded bytes hold no lone surrogate (invalid UTF-8 becomes U+FFFD) and JSON forbids a raw NUL in
      // a string, so from bytes such text can only come from a \u escape: without one, nothing to look for.
      const at = typeof payload === 'string' || text.includes('\\u') ? findUnstorableText(value) : undefined;
      if (at === undefined) return { ok: true, value };
      return { ok: false, reason: 'bad_text', detail: `${at}: a NUL character or a lone surrogate` };
    }
    const first = check.Errors(value).First();
    return {
      ok: false,
      reason: 'schema',
      detail: first ? `${first.path || '/'}: ${first.message}` : 'does not match the schema',
    };
  };
}

export const parseAlertEvent = contractParser(AlertEvent);
export const parseHeartbeat = contractParser(Heartbeat);
export const parseCommand = contractParser(Command);
export const parseResidentDaily = contractParser(ResidentDaily);
export const parseCommandResult = contractParser(CommandResult);
export const parseBundleIndex = contractParser(BundleIndex);
