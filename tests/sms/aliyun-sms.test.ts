import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseRef } from '../../cloud/src/notify/guardian-alert.template.ts';
import { fakeAliyunSignature } from '../../tools/harness/fake-sms/aliyun.fake.ts';
import { backends, waitFor } from '../cloud/cloud-fixture.ts';
import { ALIYUN, openCase, type SmsWorld, settledTexts, startSmsWorld } from './sms-fixture.ts';

describe.each(backends)('guardian texts through Aliyun SMS — %s', (backend) => {
  let w: SmsWorld;
  let receipts: string;
  let replies: string;
  beforeAll(async () => {
    w = await startSmsWorld(backend, 'aliyun-sms');
    receipts = `${w.t.cloud.httpUrl}/webhooks/sms/aliyun/receipts?token=${ALIYUN.webhookToken}`;
    replies = `${w.t.cloud.httpUrl}/webhooks/sms/aliyun/replies?token=${ALIYUN.webhookToken}`;
  });
  afterAll(async () => {
    await w?.close();
  });

  it('event → signed SendSms with the zh-CN template params → receipt marks delivered → "收到" acknowledges', async () => {
    const { t, aliyun } = w;
    const phone = '+8613800000011';
    const home = await t.enrol({ guardians: [{ name: '女儿', phone, language: 'zh-CN' }] });
    const caseId = await openCase(t, home);
    const [row] = await settledTexts(t, caseId);
    expect(row).toMatchObject({ status: 'sent', sms_provider: 'aliyun-sms', sms_attempts: 1 });

    // The fake recomputed the signature with its own implementation; here is what it accepted.
    const m = aliyun.accepted.find((a) => a.outId === row!.id)!;
    expect(m.params.Signature).toBe(fakeAliyunSignature(ALIYUN.accessKeySecret, m.params));
    expect(m).toMatchObject({
      phoneNumbers: phone,
      signName: '安居',
      templateCode: ALIYUN.templateCode,
      templateParam: {
        name: expect.stringMatching(/^Resident \d+$/),
        event: '可能跌倒了',
        ref: caseRef(caseId),
      },
    });
    expect(m.templateParam.time).toMatch(/^\d+月\d+日 \d{2}:\d{2}$/);
    // Guardians never get the address; no template parameter carries it.
    expect(Object.keys(m.templateParam).sort()).toEqual(['event', 'name', 'ref', 'time']);
    expect(m.params).toMatchObject({ Format: 'JSON', Version: '2017-05-25', RegionId: 'cn-hangzhou' });
    expect(row!.sms_message_id).toBe(m.bizId);

    const pushed = await aliyun.pushReceipts(receipts, [{ bizId: m.bizId, success: true }]);
    expect(pushed).toEqual({ status: 200, body: { code: 0, msg: '接收成功' } });
    const [delivered] = await settledTexts(t, caseId);
    expect(delivered).toMatchObject({ sms_delivery_status: 'delivered' });

    // Aliyun reports the sender in national form (no +86).
    const up = await aliyun.pushReplies(replies, [
      { phone: '13800000011', content: '收到', signName: '安居' },
    ]);
    expect(up).toEqual({ status: 200, body: { code: 0, msg: '接收成功' } });
    const acked = await waitFor(async () => {
      const c = await t.api('GET', `/cases/${caseId}`);
      return c.body.status === 'acknowledged' ? c.body : undefined;
    });
    expect(acked.acknowledgedBy).toMatch(/SMS|女儿/);
    expect(await t.metric('anju_sms_inbound_total', { provider: 'aliyun', outcome: 'acknowledged' })).toBe(1);
    // No token in any log line (the routes log at warn only).
    expect(t.logs.join('\n')).not.toContain(ALIYUN.webhookToken);
    expect(t.logs.join('\n')).not.toContain(ALIYUN.accessKeySecret);
    expect(t.logs.join('\n')).not.toContain('13800000011');
  });

  it('English guardians get the English template', async () => {
    const { t, aliyun } = w;
    const home = await t.enrol({ guardians: [{ name: 'Son', phone: '+8613800000012', language: 'en' }] });
    const caseId = await openCase(t, home);
    const [row] = await settledTexts(t, caseId);
    const m = aliyun.accepted.find((a) => a.outId === row!.id)!;
    expect(m.templateCode).toBe(ALIYUN.templateCodeEn);
    expect(m.templateParam).toMatchObject({ event: 'Possible fall', ref: caseRef(caseId) });
  });

  it('after 2 throttled answers sends once with the same OutId; an illegal number fails with its code', async () => {
    const { t, aliyun } = w;
    const phone = '+8613800000013';
    const home = await t.enrol({ guardians: [{ name: '儿子', phone, language: 'zh-CN' }] });
    aliyun.throttleNext(2);
    const refusedBefore = aliyun.refused.length;
    const caseId = await openCase(t, home);
    const [row] = await settledTexts(t, caseId);
    expect(row).toMatchObject({ status: 'sent', sms_attempts: 3 });
    const throttled = aliyun.refused.slice(refusedBefore);
    expect(throttled.map((r) => r.code)).toEqual([
      'isv.BUSINESS_LIMIT_CONTROL',
      'isv.BUSINESS_LIMIT_CONTROL',
    ]);
    // Same OutId on every attempt, a fresh nonce each time (the fake refuses a reused one).
    expect(throttled.map((r) => r.params.OutId)).toEqual([row!.id, row!.id]);
    expect(new Set(throttled.map((r) => r.params.SignatureNonce)).size).toBe(2);
    expect(aliyun.accepted.filter((a) => a.phoneNumbers === phone)).toHaveLength(1);
    expect(aliyun.accepted.find((a) => a.phoneNumbers === phone)!.outId).toBe(row!.id);

    aliyun.rejectNumber('+8613800000014');
    const bad = await t.enrol({ guardians: [{ name: '侄子', phone: '+8613800000014', language: 'zh-CN' }] });
    const badCase = await openCase(t, bad);
    const [failed] = await settledTexts(t, badCase);
    expect(failed).toMatchObject({
      status: 'failed',
      sms_attempts: 1,
      sms_error_code: 'isv.MOBILE_NUMBER_ILLEGAL',
    });
    expect(failed!.error).toMatch(/^aliyun isv\.MOBILE_NUMBER_ILLEGAL/);
  });

  it('a failed receipt records the code; a wrong token is 403 and counted; a bad body is 400', async () => {
    const { t, aliyun } = w;
    const home = await t.enrol({ guardians: [{ name: '外甥', phone: '+8613800000015', language: 'zh-CN' }] });
    const caseId = await openCase(t, home);
    const [row] = await settledTexts(t, caseId);
    await aliyun.pushReceipts(receipts, [
      { bizId: row!.sms_message_id!, success: false, errCode: 'MK:0005' },
    ]);
    const [after] = await settledTexts(t, caseId);
    expect(after).toMatchObject({ sms_delivery_status: 'undelivered', sms_error_code: 'MK:0005' });

    const wrong = await aliyun.pushReceipts(receipts.replace(/token=.*/, 'token=guess'), [
      { bizId: row!.sms_message_id!, success: true },
    ]);
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatchObject({ code: 'CLOUD_SMS_BAD_TOKEN' });
    expect(
      await t.metric('anju_sms_webhook_requests_total', {
        provider: 'aliyun',
        hook: 'receipts',
        outcome: 'bad_token',
      }),
    ).toBe(1);
    const [unchanged] = await settledTexts(t, caseId);
    expect(unchanged!.sms_delivery_status).toBe('undelivered');

    const invalid = await fetch(receipts, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ phone_number: 1 }]),
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ code: 'CLOUD_SMS_WEBHOOK_INVALID' });

    // An unknown sender's text is stored, not acted on; a non-ack reply is stored as help.
    await aliyun.pushReplies(replies, [
      { phone: '13999999999', content: '1', signName: '安居' },
      { phone: '13800000015', content: '谁啊', signName: '安居' },
    ]);
    const { rows } = await t.db.query<{ from_phone: string; outcome: string }>(
      `SELECT from_phone, outcome FROM inbound_messages WHERE provider = 'aliyun-sms' AND from_phone IN ('13999999999', '13800000015')
       ORDER BY from_phone`,
    );
    expect(rows).toEqual([
      { from_phone: '13800000015', outcome: 'help' },
      { from_phone: '13999999999', outcome: 'unknown_sender' },
    ]);
    const stillOpen = await t.api('GET', `/cases/${caseId}`);
    expect(stillOpen.body.status).toBe('open');
  });
});
