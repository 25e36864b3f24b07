/**
 * The glue from an SMS "OK" to the cases service (case-ack.reply-handler.ts), on the real schema: which
 * case a reply acknowledges, and as whom (worker by id, guardian by name). The cases service is a
 * recorder here; the full path through the real service is in twilio-sms / aliyun-sms tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../cloud/src/db/index.ts';
import { createCaseAckReplyHandler } from '../../cloud/src/notify/inbound/case-ack.reply-handler.ts';
import { backends, openTestDb, type TestDb } from '../cloud/cloud-fixture.ts';

describe.each(backends)('SMS reply → case acknowledgement glue — %s', (backend) => {
  let t: TestDb;
  const calls: unknown[][] = [];
  const acked: string[] = [];
  const handler = () =>
    createCaseAckReplyHandler({
      db: t.db,
      cases: {
        acknowledge: async (...a) => calls.push(['acknowledge', ...a]),
        transition: async (...a) => {
          calls.push(['transition', ...a]);
          return { notificationIds: ['n-queued'] };
        },
      },
      onAcknowledged: (id) => acked.push(id),
      dispatch: (ids) => calls.push(['dispatch', ids]),
    });

  beforeAll(async () => {
    t = await openTestDb(backend);
    await migrate(t.db); // a fresh PostgreSQL database starts empty; the PGlite template is already migrated
    await t.db.exec(`
      INSERT INTO stations (id, name) VALUES ('st1', 'Station 1');
      INSERT INTO workers (id, station_id, name, phone, home_lat, home_lon)
        VALUES ('w1', 'st1', 'Worker Wang', '+86 139 0000 0009', 31.2, 121.4);
      INSERT INTO residents (id, name) VALUES ('r1', 'Grandma Li');
      INSERT INTO guardians (id, resident_id, name, phone, language) VALUES ('g1', 'r1', '女儿', '13800000001', 'zh-CN');
      INSERT INTO cases (id, resident_id, kind, severity, status, opened_at)
        VALUES ('aaaaaaaa-0000-0000-0000-000000000001', 'r1', 'fall', 'urgent', 'open', now() - interval '2 hours'),
               ('bbbbbbbb-0000-0000-0000-000000000002', 'r1', 'sos', 'urgent', 'assigned', now() - interval '1 hour'),
               ('cccccccc-0000-0000-0000-000000000003', 'r1', 'vitals', 'urgent', 'resolved', now());
      INSERT INTO notifications (id, case_id, recipient_phone, language, body, channel, status, created_at) VALUES
        ('n1', 'aaaaaaaa-0000-0000-0000-000000000001', '+8613800000001', 'zh-CN', 'x', 'twilio-sms', 'sent', now() - interval '2 hours'),
        ('n2', 'bbbbbbbb-0000-0000-0000-000000000002', '+8613800000001', 'zh-CN', 'x', 'twilio-sms', 'sent', now() - interval '1 hour'),
        ('n3', 'cccccccc-0000-0000-0000-000000000003', '+8613800000001', 'zh-CN', 'x', 'twilio-sms', 'sent', now()),
        ('n4', 'bbbbbbbb-0000-0000-0000-000000000002', '+8613900000009', 'zh-CN', 'x', 'twilio-sms', 'sent', now());
    `);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('acknowledges the newest waiting case texted to the phone, as the guardian, skipping finished ones', async () => {
    calls.length = 0;
    const r = await handler().acknowledgeByReply({
      fromPhone: '13800000001',
      receivedAt: new Date().toISOString(),
    });
    expect(r).toEqual({
      acknowledged: true,
      caseId: 'bbbbbbbb-0000-0000-0000-000000000002',
      caseRef: 'BBBBBBBB',
    });
    expect(calls[0]).toEqual([
      'transition',
      'bbbbbbbb-0000-0000-0000-000000000002',
      'acknowledged',
      { type: 'guardian', id: '女儿' },
      'SMS reply from 1380****001',
    ]);
    expect(calls[1]).toEqual(['dispatch', ['n-queued']]);
    expect(acked).toContain('bbbbbbbb-0000-0000-0000-000000000002');
  });

  it('takes a quoted case reference, and a worker acts as the worker', async () => {
    calls.length = 0;
    const byRef = await handler().acknowledgeByReply({
      fromPhone: '+8613800000001',
      caseRef: 'AAAAAAAA',
      receivedAt: new Date().toISOString(),
    });
    expect(byRef.caseId).toBe('aaaaaaaa-0000-0000-0000-000000000001');
    const w = await handler().acknowledgeByReply({
      fromPhone: '+8613900000009',
      receivedAt: new Date().toISOString(),
    });
    expect(w.acknowledged).toBe(true);
    expect(calls.find((c) => c[0] === 'transition' && c[1] === w.caseId)?.[3]).toEqual({
      type: 'worker',
      id: 'w1',
    });
  });

  it('finds nothing for an unknown phone or a reference that is not theirs', async () => {
    const none = await handler().acknowledgeByReply({ fromPhone: '+8613111111111', receivedAt: '' });
    expect(none.acknowledged).toBe(false);
    const wrongRef = await handler().acknowledgeByReply({
      fromPhone: '13800000001',
      caseRef: 'CCCCCCCC',
      receivedAt: '',
    });
    expect(wrongRef.acknowledged).toBe(false);
  });

  it('falls back to acknowledge(id, by) on a cases service without transitions', async () => {
    calls.length = 0;
    const legacy = createCaseAckReplyHandler({
      db: t.db,
      cases: { acknowledge: async (...a) => calls.push(['acknowledge', ...a]) },
    });
    await legacy.acknowledgeByReply({ fromPhone: '13800000001', receivedAt: '' });
    expect(calls[0]).toEqual([
      'acknowledge',
      'bbbbbbbb-0000-0000-0000-000000000002',
      'guardian 女儿 by SMS 1380****001',
    ]);
  });
});
