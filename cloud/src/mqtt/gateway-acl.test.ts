import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe, sessionClientId } from './gateway-acl.ts';

describe('gateway topic ACL', () => {
  it('lets a gateway publish only its own events, health, daily summaries and command results', () => {
    expect(mayPublish('gw-1', 'gw/gw-1/events')).toBe(true);
    expect(mayPublish('gw-1', 'gw/gw-1/health')).toBe(true);
    expect(mayPublish('gw-1', 'gw/gw-1/daily')).toBe(true);
    expect(mayPublish('gw-1', 'gw/gw-1/cmd_result')).toBe(true);
    for (const t of [
      'gw/gw-2/events',
      'gw/gw-2/daily',
      'gw/gw-2/cmd_result',
      'gw/gw-1/cmd',
      'gw/gw-1/events/x',
      'gw/gw-1',
      '$SYS/x',
      'gw/gw-10/events',
      'GW/gw-1/events',
    ]) {
      expect(mayPublish('gw-1', t), t).toBe(false);
    }
  });

  it('lets a gateway subscribe only to its own command topic, no wildcards', () => {
    expect(maySubscribe('gw-1', 'gw/gw-1/cmd')).toBe(true);
    for (const f of ['gw/+/cmd', 'gw/#', '#', 'gw/gw-1/+', 'gw/gw-2/cmd', 'gw/gw-1/events']) {
      expect(maySubscribe('gw-1', f), f).toBe(false);
    }
  });
});

describe('client ids on the embedded broker', () => {
  it("keeps every id a gateway asks for inside its own namespace, so no gateway can take another's session", () => {
    expect(sessionClientId('gw-1', 'gw-gw-1')).toBe('gw-1/gw-gw-1');
    // Another gateway's bare id and its forwarder's id: never equal to what that gateway itself gets.
    expect(sessionClientId('gw-2', 'gw-1')).not.toBe(sessionClientId('gw-1', 'gw-1'));
    expect(sessionClientId('gw-2', 'gw-gw-1')).not.toBe(sessionClientId('gw-1', 'gw-gw-1'));
    // `x` asking for `gw-x` and `gw-x` asking for its own id do not collide.
    expect(sessionClientId('x', 'gw-x')).not.toBe(sessionClientId('gw-x', 'gw-x'));
    // The namespace is the gateway id up to the first `/` (which no gateway id contains).
    expect(sessionClientId('a', 'b/c').split('/')[0]).toBe('a');
  });
});
