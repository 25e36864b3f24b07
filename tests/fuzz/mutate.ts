/**
 * Seeded hostile inputs for the fuzz tests: mutations of a valid JSON document (structure-aware: drop,
 * retype, inflate or poison a field) and of its bytes (flip, truncate, splice, duplicate), plus pure
 * noise. The same seed gives the same inputs on every machine, so a failure can be replayed.
 */
import { mulberry32 } from '../../tools/random.ts';

export type Rand = () => number;

const WEIRD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  ' ',
  'x'.repeat(10_000),
  '\u0000',
  '\uD800', // lone surrogate
  '💥'.repeat(50),
  '../../etc/passwd',
  "'; DROP TABLE events; --",
  '2026-13-45T25:61:61Z',
  [],
  [1, 2, 3],
  {},
  { $gt: '' },
  JSON.parse('{"__proto__":{"polluted":true}}'),
  Array.from({ length: 2000 }, (_, i) => i),
];

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** A structural mutation of a JSON object: one or a few fields changed in a hostile way. */
function mutateJson(r: Rand, valid: Record<string, unknown>): string {
  const doc: Record<string, unknown> = structuredClone(valid);
  const keys = Object.keys(doc);
  const times = 1 + Math.floor(r() * 3);
  for (let t = 0; t < times; t++) {
    const key = pick(r, keys);
    switch (Math.floor(r() * 9)) {
      case 0:
        delete doc[key];
        break;
      case 1:
        doc[key] = pick(r, WEIRD_VALUES);
        break;
      case 2:
        doc[`extra_${Math.floor(r() * 1000)}`] = pick(r, WEIRD_VALUES);
        break;
      case 3: {
        // Deep nesting as text (JSON.stringify itself would overflow the stack building it).
        const depth = 50 + Math.floor(r() * 4000);
        const marker = '"__deep__"';
        doc[key] = '__deep__';
        return JSON.stringify(doc).replace(marker, `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
      }
      case 4:
        doc[key] =
          typeof doc[key] === 'string' ? `${doc[key]}${'A'.repeat(Math.floor(r() * 300))}` : String(doc[key]);
        break;
      case 5:
        // An own "__proto__" key, as JSON.parse makes it: prototype pollution must not get through.
        return JSON.stringify(doc).replace(
          /^\{/,
          '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}},',
        );
      case 6:
        doc[key] = typeof doc[key] === 'number' ? -(doc[key] as number) * 1e6 : 12345;
        break;
      case 7:
        if (doc[key] && typeof doc[key] === 'object')
          doc[key] = {
            ...(doc[key] as object),
            [pick(r, ['$ref', '__proto__', 'x'])]: pick(r, WEIRD_VALUES),
          };
        else doc[key] = [doc[key]];
        break;
      default:
        return JSON.stringify(pick(r, WEIRD_VALUES));
    }
  }
  return JSON.stringify(doc);
}

/** A byte-level mutation of the serialized valid document. */
function mutateBytes(r: Rand, valid: Buffer): Buffer {
  const b = Buffer.from(valid);
  switch (Math.floor(r() * 6)) {
    case 0: {
      const n = 1 + Math.floor(r() * 4);
      for (let i = 0; i < n; i++) {
        const at = Math.floor(r() * b.length);
        b[at] = b[at]! ^ (1 << Math.floor(r() * 8));
      }
      return b;
    }
    case 1:
      return b.subarray(0, Math.floor(r() * b.length));
    case 2: {
      const at = Math.floor(r() * b.length);
      return Buffer.concat([b.subarray(0, at), noise(r, 1 + Math.floor(r() * 16)), b.subarray(at)]);
    }
    case 3:
      return Buffer.concat([b, b]);
    case 4: {
      const at = Math.floor(r() * b.length);
      b[at] = pick(r, [0x00, 0x22, 0x5c, 0x7b, 0x7d, 0xff, 0xc0]);
      return b;
    }
    default:
      return b.subarray(Math.floor(r() * b.length));
  }
}

function noise(r: Rand, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** `count` hostile payloads derived from `valid` (a function, so each can carry fresh ids). */
export function* hostilePayloads(
  seed: number,
  count: number,
  valid: () => Record<string, unknown>,
): Generator<Buffer> {
  const r = mulberry32(seed);
  for (let i = 0; i < count; i++) {
    const roll = r();
    if (roll < 0.5) yield Buffer.from(mutateJson(r, valid()));
    else if (roll < 0.9) yield mutateBytes(r, Buffer.from(JSON.stringify(valid())));
    else yield noise(r, Math.floor(r() * 200));
  }
}

export { mulberry32 };
