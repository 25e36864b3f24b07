import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AlertEvent, newEventId } from '../../../contracts/src/index.ts';
import { mountTinyTmpfs } from '../../../tools/harness/tmpfs.ts';
import { silentLogger } from '../log/logger.ts';
import { FileOutbox, type OutboxFs } from './file-outbox.store.ts';
import { OutboxEventDropped, OutboxWriteError } from './outbox-limits.ts';
import { createRaiseEvent } from './raise-event.ts';

const event = (
  kind: AlertEvent['kind'] = 'fall',
  severity: AlertEvent['severity'] = 'critical',
): AlertEvent => ({
  schema: 1,
  id: newEventId(),
  gatewayId: 'gw-1',
  residentId: 'res-1',
  kind,
  severity,
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

const vitals = () => event('vitals', 'info');
const sos = () => event('sos', 'critical');
const kinds = (o: FileOutbox) => o.peek(1000).map((e) => e.event.kind);

describe('file outbox under pressure', () => {
  it('past its bound drops the oldest telemetry (never the head, never an urgent event) and counts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const o = new FileOutbox(dir, silentLogger, { limits: { maxEntries: 4, maxBytes: 1 << 20 } });
    const head = await o.append(vitals());
    await o.append(sos());
    const oldTelemetry = await o.append(vitals());
    await o.append(vitals());
    await o.append(sos()); // full: the oldest droppable telemetry (not the head) makes room
    expect(o.dropped).toEqual({ bound: 1, diskFull: 0 });
    expect(o.peek(10).map((e) => e.seq)).not.toContain(oldTelemetry.seq);
    expect(o.peek(1)[0]!.seq).toBe(head.seq);
    await o.append(sos()); // the last droppable one goes too
    expect(kinds(o)).toEqual(['vitals', 'sos', 'sos', 'sos']);
    // Nothing left to drop: a telemetry event is refused (counted), an urgent one kept past the bound.
    await expect(o.append(vitals())).rejects.toBeInstanceOf(OutboxEventDropped);
    await o.append(sos());
    expect(o.size()).toBe(5);
    expect(o.dropped).toEqual({ bound: 3, diskFull: 0 });
    // The bound counts bytes too, and what is on disk after a reopen.
    const reopened = new FileOutbox(dir, silentLogger, { limits: { maxEntries: 100, maxBytes: o.bytes() } });
    expect(reopened.bytes()).toBe(o.bytes());
    await expect(reopened.append(vitals())).rejects.toBeInstanceOf(OutboxEventDropped);
  });

  it('on ENOSPC at the write boundary drops telemetry for an urgent event, and reports an urgent event it cannot write (injected fs)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    let freeFiles = 3;
    const fullDisk: OutboxFs = {
      ...fs,
      writeSync: ((fd: number, data: string) => {
        if (freeFiles <= 0)
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        freeFiles--;
        return fs.writeSync(fd, data);
      }) as OutboxFs['writeSync'],
      unlinkSync: (p) => {
        freeFiles++;
        fs.unlinkSync(p);
      },
    };
    const o = new FileOutbox(dir, silentLogger, { fs: fullDisk });
    await o.append(vitals());
    await o.append(vitals());
    await o.append(vitals());
    await o.append(sos());
    expect(o.dropped.diskFull).toBe(1);
    await o.append(sos());
    // Only the head (maybe on the wire) and urgent events left: telemetry is refused, urgent reported.
    await expect(o.append(vitals())).rejects.toBeInstanceOf(OutboxEventDropped);
    await expect(o.append(sos())).rejects.toBeInstanceOf(OutboxWriteError);
    expect(kinds(o)).toEqual(['vitals', 'sos', 'sos']);
    expect(o.dropped).toEqual({ bound: 0, diskFull: 3 });
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]); // no half-written leftovers on a full disk
  });
});

describe('file outbox on a really full disk (tiny tmpfs)', () => {
  const fsys = mountTinyTmpfs(256 * 1024);
  afterAll(() => {
    if ('dir' in fsys) fsys.unmount();
  });
  it.skipIf('unavailable' in fsys)(
    `keeps every urgent event and drops telemetry oldest first when the kernel says ENOSPC${'unavailable' in fsys ? ` — SKIPPED: ${fsys.unavailable}` : ''}`,
    async () => {
      const dir = join((fsys as { dir: string }).dir, 'outbox');
      const o = new FileOutbox(dir, silentLogger);
      // Fill the disk with telemetry (a big evidence string: each file takes its own pages).
      const fat = () => ({ ...vitals(), evidence: { note: 'x'.repeat(200), n: 1 } });
      let telemetry = 0;
      while (o.dropped.diskFull === 0) {
        await o.append(fat()).then(
          () => telemetry++,
          (err: unknown) => expect(err).toBeInstanceOf(OutboxEventDropped),
        );
      }
      expect(telemetry).toBeGreaterThan(10);
      // Urgent events keep coming: each takes the room of an old telemetry entry.
      const urgentIds: string[] = [];
      for (;;) {
        const e = sos();
        try {
          await o.append(e);
          urgentIds.push(e.id);
        } catch (err) {
          expect(err).toBeInstanceOf(OutboxWriteError);
          expect((err as OutboxWriteError).cause).toMatchObject({ code: 'ENOSPC' });
          break;
        }
      }
      const left = o.peek(100_000).map((e) => e.event);
      expect(left.filter((e) => e.kind === 'sos').map((e) => e.id)).toEqual(urgentIds);
      expect(left.filter((e) => e.kind === 'vitals').length).toBeLessThanOrEqual(1); // only the head
      // After a reopen (as after a reboot) the same urgent events are there, in order.
      const again = new FileOutbox(dir, silentLogger);
      expect(
        again
          .peek(100_000)
          .filter((e) => e.event.kind === 'sos')
          .map((e) => e.event.id),
      ).toEqual(urgentIds);
    },
  );
});

describe('raising an event when the outbox has no room', () => {
  it('resolves a dropped telemetry event with its reason; retries an urgent one until the disk takes it', async () => {
    let failures = 2;
    const appended: AlertEvent[] = [];
    const published: unknown[] = [];
    const waits: number[] = [];
    const raise = createRaiseEvent({
      outbox: {
        append: async (e) => {
          if (e.kind === 'vitals') throw new OutboxEventDropped('diskFull', e.id);
          if (failures-- > 0) throw new OutboxWriteError(e.id, { cause: new Error('ENOSPC') });
          appended.push(e);
          return { seq: 1, event: e };
        },
        size: () => appended.length,
      },
      bus: { publish: (_t, p) => published.push(p) },
      gatewayId: 'gw-1',
      residentId: 'res-1',
      now: () => Date.now(),
      log: silentLogger,
      sleep: async (ms) => {
        waits.push(ms);
        expect(raise.unwritable()).toBe(1);
      },
    });
    const t = await raise({ kind: 'vitals', severity: 'info', occurredAtMs: Date.now(), evidence: {} });
    expect(t.dropped).toBe('diskFull');
    const u = await raise({ kind: 'sos', severity: 'critical', occurredAtMs: Date.now(), evidence: {} });
    expect(u.dropped).toBeUndefined();
    expect(waits).toEqual([500, 1000]);
    expect(appended.map((e) => e.id)).toEqual([u.eventId]);
    expect(published).toHaveLength(1);
    expect(raise.unwritable()).toBe(0);
  });
});
