/**
 * Hostile ids and query values, each as the exact bytes it is sent with (already percent-encoded for a
 * URL): what a prober puts where an id belongs.
 */
export interface Hostile {
  /** The class it belongs to, for the per-class figures. */
  kind: 'nul' | 'surrogate' | 'long' | 'unicode' | 'traversal' | 'sql' | 'odd';
  /** Percent-encoded, ready for a path segment or a query value. */
  encoded: string;
}

const enc = (kind: Hostile['kind'], raw: string): Hostile => ({ kind, encoded: encodeURIComponent(raw) });

export const HOSTILE: readonly Hostile[] = [
  { kind: 'nul', encoded: '%00' },
  { kind: 'nul', encoded: 'gw-1%00' },
  { kind: 'nul', encoded: '%00%00%00x' },
  // A lone surrogate cannot be written as UTF-8; these are the bytes a prober sends instead: the CESU-8
  // form of U+D800, a truncated sequence, and a lone continuation byte.
  { kind: 'surrogate', encoded: '%ED%A0%80' },
  { kind: 'surrogate', encoded: 'a%F0%9F' },
  { kind: 'surrogate', encoded: '%80x' },
  // JSON-style escapes of a lone surrogate and of NUL, as text (they reach the app as 6 characters).
  enc('surrogate', '\\ud800'),
  enc('long', 'x'.repeat(65)),
  enc('long', 'x'.repeat(101)),
  enc('long', '安'.repeat(2000)),
  enc('unicode', '安居👵🏻'),
  enc('unicode', 'e\u0301\u202e\u200b\uFEFF'),
  enc('unicode', '\uFFFF\uFFFE'),
  enc('traversal', '../../etc/passwd'),
  { kind: 'traversal', encoded: '..%2F..%2F' },
  { kind: 'traversal', encoded: '%2e%2e' },
  enc('sql', "' OR '1'='1"),
  enc('sql', '1; DROP TABLE cases; --'),
  enc('sql', '%_\\'),
  enc('odd', ' '),
  enc('odd', '-1'),
  enc('odd', '1e309'),
  enc('odd', '[object Object]'),
];
