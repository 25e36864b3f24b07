import { describe, expect, it } from 'vitest';
import { ProtocolVersionChoice } from './protocol-version.ts';

const refusal = (code: number) => Object.assign(new Error('Connection refused'), { code });

describe('ProtocolVersionChoice', () => {
  it('auto: tries 5; a protocol refusal makes it 3.1.1 for good', () => {
    const p = new ProtocolVersionChoice('auto');
    expect(p.next()).toBe(5);
    expect(p.refused(5, refusal(0x05))).toBe(false); // not authorized: says nothing about the level
    expect(p.refused(5, refusal(0x01))).toBe(true);
    expect(p.next()).toBe(4);
    p.connected(4);
    p.unanswered(4);
    expect(p.next()).toBe(4);
  });

  it('auto: once 5 worked it stays 5, even after a connection closed unanswered', () => {
    const p = new ProtocolVersionChoice('auto');
    expect(p.connected(5).first).toBe(true);
    p.unanswered(5);
    expect(p.next()).toBe(5);
    expect(p.connected(5).first).toBe(false);
  });

  it('auto: a broker that closes without a CONNACK gets the other level next, and 5 again after a 3.1.1 link', () => {
    const p = new ProtocolVersionChoice('auto');
    p.unanswered(5);
    expect(p.next()).toBe(4);
    p.connected(4);
    expect(p.next()).toBe(5);
  });

  it('a pinned level never changes', () => {
    for (const v of [4, 5] as const) {
      const p = new ProtocolVersionChoice(v);
      expect(p.refused(v, refusal(0x84))).toBe(false);
      p.unanswered(v);
      expect(p.next()).toBe(v);
    }
  });
});
