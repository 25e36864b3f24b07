import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger.ts';
import { checkFilter, checkPublishTopic, createAnjuBridge } from './anju.bridge.ts';
import type { AnjuOutRequest } from './anju-out.request.ts';

describe('anju bridge', () => {
  it('accepts home/ filters with + and a trailing #, and refuses anything else', () => {
    for (const ok of ['home/+/motion', 'home/agent/events', 'home/#', 'home/band1/button'])
      expect(() => checkFilter(ok)).not.toThrow();
    for (const bad of ['#', 'gw/+/events', 'home', 'home/#/x', 'home//x', '', 42])
      expect(() => checkFilter(bad)).toThrow();
  });

  it('publishes on concrete home/ topics only, never on the events topic', () => {
    expect(() => checkPublishTopic('home/speaker/say', 'home/agent/events')).not.toThrow();
    expect(() => checkPublishTopic('home/+/say', 'home/agent/events')).toThrow(/home/);
    expect(() => checkPublishTopic(undefined, 'home/agent/events')).toThrow(/no topic/);
    expect(() => checkPublishTopic('home/agent/events', 'home/agent/events')).toThrow(/anju out/);
  });

  it('raises a validated request and refuses an invalid one without calling raise', async () => {
    const raised: AnjuOutRequest[] = [];
    const bridge = createAnjuBridge({
      bus: { publish: () => {}, subscribe: () => () => {} },
      raise: (r) => {
        raised.push(r);
        return Promise.resolve({ eventId: 'e1' });
      },
      eventsTopic: 'home/agent/events',
      now: () => 1_000_000,
      log: silentLogger,
    });
    await expect(
      bridge.raise({ kind: 'sos', severity: 'urgent', evidence: {} }, { nodeId: 'n1', nodeName: 'test' }),
    ).resolves.toEqual({ eventId: 'e1' });
    await expect(
      bridge.raise({ kind: 'nope', severity: 'urgent', evidence: {} }, { nodeId: 'n1' }),
    ).rejects.toMatchObject({
      code: 'EDGE_NODERED_INVALID_EVENT',
    });
    expect(raised).toEqual([
      {
        kind: 'sos',
        severity: 'urgent',
        occurredAtMs: 1_000_000,
        evidence: { source: 'node-red', rule: 'test' },
      },
    ]);
  });
});
