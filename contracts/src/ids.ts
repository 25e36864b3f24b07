import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/**
 * UUIDv7 (RFC 9562 §5.7): 48-bit Unix ms, then random bits. Time-ordered, so the outbox, the database
 * index and a person reading logs all see events in the order they were minted. A 12-bit counter in
 * rand_a keeps ids minted in the same millisecond ordered.
 */
export function newEventId(nowMs = Date.now()): string {
  if (nowMs === lastMs) counter = (counter + 1) & 0xfff;
  else {
    lastMs = nowMs;
    counter = 0;
  }
  const b = randomBytes(16);
  b.writeUIntBE(nowMs, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
