import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AlertEvent, newEventId } from '../../../contracts/src/index.ts';
import { silentLogger } from '../log/logger.ts';
import { FileOutbox } from './file-outbox.store.ts';

const event = (kind: AlertEvent['kind'] = 'fall'): AlertEvent => ({
  schema: 1,
  id: newEventId(),
  gatewayId: 'gw-1',
  residentId: 'res-1',
  kind,
  severity: 'critical',
  occurredAt: new Date().toISOString(),
  detectedAt: new Date().toISOString(),
  evidence: { peakG: 3.1 },
});

describe('file outbox', () => {
  it('keeps events across a reopen, in order, until each is acknowledged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const a = new FileOutbox(dir, silentLogger);
    const e1 = await a.append(event('fall'));
    const e2 = await a.append(event('sos'));
    const reopened = new FileOutbox(dir, silentLogger);
    expect(reopened.peek(10).map((e) => e.event.id)).toEqual([e1.event.id, e2.event.id]);
    await reopened.ack(e1.seq);
    const third = new FileOutbox(dir, silentLogger);
    expect(third.peek(10).map((e) => e.event.kind)).toEqual(['sos']);
    const e3 = await third.append(event());
    expect(e3.seq).toBeGreaterThan(e2.seq);
  });

  it('sets a corrupt entry aside instead of blocking the queue behind it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const a = new FileOutbox(dir, silentLogger);
    await a.append(event());
    writeFileSync(join(dir, '000000000002.json'), '{"half": ');
    await new FileOutbox(dir, silentLogger).append(event());
    const b = new FileOutbox(dir, silentLogger);
    expect(b.size()).toBe(2);
    expect(readdirSync(join(dir, 'corrupt'))).toEqual(['000000000002.json']);
  });

  it('wakes listeners on append', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const a = new FileOutbox(dir, silentLogger);
    let woken = 0;
    const off = a.onAppend(() => woken++);
    await a.append(event());
    off();
    await a.append(event());
    expect(woken).toBe(1);
  });
});
