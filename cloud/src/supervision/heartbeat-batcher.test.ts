import { describe, expect, it, vi } from 'vitest';
import type { Heartbeat } from '../../../contracts/src/index.ts';
import { createHeartbeatBatcher, type ReceivedHeartbeat } from './heartbeat-batcher.ts';

const hb = (gatewayId: string, uptimeS: number): Heartbeat =>
  ({ schema: 1, gatewayId, uptimeS }) as unknown as Heartbeat;

function setup(opts: { fail?: () => boolean; known?: Set<string>; gate?: () => Promise<void> } = {}) {
  const writes: ReceivedHeartbeat[][] = [];
  const recorded: string[] = [];
  const unknown: string[] = [];
  let failures = 0;
  const b = createHeartbeatBatcher({
    write: async (batch) => {
      writes.push([...batch]);
      await opts.gate?.();
      if (opts.fail?.()) throw new Error('database down');
      return batch
        .filter((r) => !opts.known || opts.known.has(r.hb.gatewayId))
        .map((r) => ({ gatewayId: r.hb.gatewayId, wasSilent: r.hb.gatewayId === 'silent' }));
    },
    onRecorded: (r, wasSilent) => recorded.push(`${r.hb.gatewayId}@${r.hb.uptimeS}${wasSilent ? '!' : ''}`),
    onUnknown: (r) => unknown.push(r.hb.gatewayId),
    onWriteFailed: () => failures++,
    flushMs: 60_000, // the test flushes by hand
  });
  return { b, writes, recorded, unknown, failures: () => failures };
}

describe('heartbeat batcher', () => {
  it('writes one row per gateway per flush, the newest heartbeat of each', async () => {
    const { b, writes, recorded } = setup();
    for (let i = 1; i <= 3; i++) b.add(hb('a', i));
    b.add(hb('silent', 7));
    expect(b.pendingCount()).toBe(2);
    await b.flush();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.map((r) => `${r.hb.gatewayId}@${r.hb.uptimeS}`)).toEqual(['a@3', 'silent@7']);
    expect(recorded).toEqual(['a@3', 'silent@7!']); // the silent one is told so (supervision clears it)
    await b.flush();
    expect(writes).toHaveLength(1); // nothing pending: no statement
  });

  it('a failed write is tried again at the next flush, unless the gateway sent a newer one meanwhile', async () => {
    let down = true;
    let release = () => {};
    const gate = () => new Promise<void>((r) => (release = r));
    const { b, writes, recorded, failures } = setup({ fail: () => down, gate });
    b.add(hb('a', 1));
    b.add(hb('b', 1));
    const first = b.flush();
    await vi.waitFor(() => expect(writes).toHaveLength(1));
    b.add(hb('b', 2)); // arrives while the failing write runs
    release();
    await first;
    expect(b.pendingCount()).toBe(2); // a@1 back in the queue, b@2 kept (not b@1)
    expect(failures()).toBe(1);
    down = false;
    const second = b.flush();
    await vi.waitFor(() => expect(writes).toHaveLength(2));
    release();
    await second;
    expect(writes[1]!.map((r) => `${r.hb.gatewayId}@${r.hb.uptimeS}`).sort()).toEqual(['a@1', 'b@2']);
    expect(recorded.sort()).toEqual(['a@1', 'b@2']);
  });

  it('reports heartbeats of gateways the registry does not have, and close() writes what is left', async () => {
    const { b, recorded, unknown } = setup({ known: new Set(['a']) });
    b.add(hb('a', 1));
    b.add(hb('gone', 1));
    await b.close();
    expect(recorded).toEqual(['a@1']);
    expect(unknown).toEqual(['gone']);
  });
});
