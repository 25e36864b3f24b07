import { once } from 'node:events';
import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../tools/harness/net.ts';
import { PacketSizeGuard } from './packet-size-guard.ts';

/** A QoS 1 PUBLISH, encoded by hand ([MQTT-3.3]): type/flags, Remaining Length, topic, packet id, payload. */
function publish(payloadBytes: number): Buffer {
  const topic = Buffer.from('gw/a/events');
  const body = Buffer.concat([
    Buffer.from([topic.length >> 8, topic.length & 0xff]),
    topic,
    Buffer.from([0, 7]),
    Buffer.alloc(payloadBytes, 0x61),
  ]);
  const length: number[] = [];
  let n = body.length;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    length.push(b);
  } while (n > 0);
  return Buffer.concat([Buffer.from([0x32, ...length]), body]);
}
const PINGREQ = Buffer.from([0xc0, 0x00]);

const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

/** A real TCP pair; the server side wrapped in the guard. Writes `bytes` in chunks of `chunk`. */
async function through(bytes: Buffer, chunk: number, max: number) {
  const tooLarge: number[] = [];
  const received: Buffer[] = [];
  let guard: PacketSizeGuard | undefined;
  const server = createServer((s: Socket) => {
    guard = new PacketSizeGuard(s, max, (n) => tooLarge.push(n));
    guard.on('data', (d: Buffer) => received.push(d));
    guard.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = createConnection((server.address() as AddressInfo).port, '127.0.0.1');
  client.on('error', () => {});
  closers.push(() => {
    client.destroy();
    server.close();
  });
  await once(client, 'connect');
  client.setNoDelay(true);
  for (let i = 0; i < bytes.length && !client.destroyed; i += chunk) {
    client.write(bytes.subarray(i, i + chunk));
    await new Promise((r) => setImmediate(r));
  }
  // Settled when every byte came through or the guard closed the connection (an oversize packet never comes whole).
  const receivedBytes = () => received.reduce((n, b) => n + b.length, 0);
  const closed = () => client.destroyed || guard?.destroyed === true;
  await waitFor(
    () => receivedBytes() >= bytes.length || closed(),
    5_000,
    'all bytes through or the guard closing',
  );
  return {
    tooLarge,
    received: Buffer.concat(received),
    closed: client.destroyed || guard?.destroyed === true,
  };
}

describe('MQTT packet size guard', () => {
  it('passes packets at or under the limit byte for byte, whatever the chunking (header split included)', async () => {
    const stream = Buffer.concat([publish(100), publish(200), publish(1000), PINGREQ]);
    for (const chunk of [1, 2, 3, 7, 64, stream.length]) {
      const r = await through(stream, chunk, 1100);
      expect(r.tooLarge).toEqual([]);
      expect(r.received.equals(stream)).toBe(true);
    }
  });

  it('closes the connection at the header of an oversize packet, before its body', async () => {
    const big = publish(5000);
    const r = await through(Buffer.concat([publish(10), big]), 3, 1100);
    expect(r.tooLarge).toEqual([5000 + 2 + 'gw/a/events'.length + 2]);
    expect(r.closed).toBe(true);
    expect(r.received.length).toBeLessThan(publish(10).length + 10); // the body never got through
  });
});
