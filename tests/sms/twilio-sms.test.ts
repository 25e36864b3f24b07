import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseRef } from '../../cloud/src/notify/guardian-alert.template.ts';
import { backends, waitFor } from '../cloud/cloud-fixture.ts';
import { openCase, PUBLIC_BASE, type SmsWorld, settledTexts, startSmsWorld, TWILIO } from './sms-fixture.ts';

const INBOUND = `${PUBLIC_BASE}/webhooks/sms/twilio/inbound`;

describe.each(backends)('guardian texts through Twilio — %s', (backend) => {
  let w: SmsWorld;
  beforeAll(async () => {
    w = await startSmsWorld(backend, 'twilio-sms');
  });
  afterAll(async () => {
    await w?.close();
  });

  it('event → signed-in request with the English body → delivered receipt → "OK" acknowledges → TwiML reply', async () => {
    const { t, twilio } = w;
    const phone = '+447700900123';
    const home = await t.enrol({ guardians: [{ name: 'Son', phone, language: 'en' }] });
    const caseId = await openCase(t, home);
    const [row] = await settledTexts(t, caseId);
    expect(row).toMatchObject({ status: 'sent', sms_provider: 'twilio-sms', sms_attempts: 1 });

    // The fake checked Basic auth, the form and its parameters; this is what it accepted.
    const msg = twilio.accepted.find((m) => m.to === phone)!;
    expect(msg.from).toBe(TWILIO.from);
    expect(msg.body).toMatch(/^\[Anju Fall alert\] Resident \d+ may have fallen/);
    expect(msg.body).toContain(`Ref ${caseRef(caseId)}`);
    expect(msg.statusCallback).toBe(`${PUBLIC_BASE}/webhooks/sms/twilio/status?n=${row!.id}`);
    expect(row!.sms_message_id).toBe(msg.sid);

    expect((await twilio.sendStatus(msg.sid, 'sent')).status).toBe(204);
    expect((await twilio.sendStatus(msg.sid, 'delivered')).status).toBe(204);
    // A late, out-of-order 'sent' does not undo 'delivered'.
    expect((await twilio.sendStatus(msg.sid, 'sent')).status).toBe(204);
    const [delivered] = await settledTexts(t, caseId);
    expect(delivered).toMatchObject({ sms_delivery_status: 'delivered' });
    expect(delivered!.sms_delivery_at).not.toBeNull();
    const detail = await t.api('GET', `/cases/${caseId}`);
    expect(JSON.stringify(detail.body)).toContain('sms_delivered');

    const r = await twilio.sendInbound(INBOUND, { from: phone, to: TWILIO.from, body: ' ＯＫ ' });
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^text\/xml/);
    expect(r.text).toContain(`<Response><Message>[Anju] Confirmed, thank you. Alert ${caseRef(caseId)}`);
    const acked = await t.api('GET', `/cases/${caseId}`);
    expect(acked.body.status).toBe('acknowledged');
    expect(await t.metric('anju_sms_inbound_total', { provider: 'twilio', outcome: 'acknowledged' })).toBe(1);

    // A second "1" finds nothing left to acknowledge; anything else gets the help text.
    const again = await twilio.sendInbound(INBOUND, { from: phone, to: TWILIO.from, body: '1' });
    expect(again.text).toContain('There is no alert waiting for your confirmation.');
    const help = await twilio.sendInbound(INBOUND, { from: phone, to: TWILIO.from, body: 'who is this?' });
    expect(help.text).toContain('Reply 1 or OK to confirm an alert.');
    const { rows } = await t.db.query<{ body: string; outcome: string; case_id: string | null }>(
      `SELECT body, outcome, case_id FROM inbound_messages WHERE provider = 'twilio-sms' ORDER BY received_at`,
    );
    expect(rows.map((x) => x.outcome)).toEqual(['acknowledged', 'nothing_open', 'help']);
    expect(rows[0]!.case_id).toBe(caseId);

    // The phone numbers never reach the log unmasked.
    expect(t.logs.join('\n')).not.toContain(phone);
    expect(t.logs.join('\n')).not.toContain(TWILIO.authToken);
  });

  it('refuses a forged signature with 403 and counts it; a stranger is stored and ignored', async () => {
    const { t, twilio } = w;
    const before = await t.metric('anju_sms_webhook_requests_total', {
      provider: 'twilio',
      hook: 'inbound',
      outcome: 'bad_signature',
    });
    const forged = await twilio.sendInbound(
      INBOUND,
      { from: '+447700900999', to: TWILIO.from, body: '1' },
      { forge: true },
    );
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.text)).toMatchObject({ code: 'CLOUD_SMS_BAD_SIGNATURE' });
    expect(
      await t.metric('anju_sms_webhook_requests_total', {
        provider: 'twilio',
        hook: 'inbound',
        outcome: 'bad_signature',
      }),
    ).toBe(before + 1);
    // Unsigned, and not even a form: still 403 (the signature is checked before anything else).
    const bare = await fetch(`${t.cloud.httpUrl}/webhooks/sms/twilio/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bare.status).toBe(403);

    const stranger = await twilio.sendInbound(INBOUND, { from: '+447700900999', to: TWILIO.from, body: '1' });
    expect(stranger.status).toBe(200);
    expect(stranger.text).toContain('<Response/>');
    const { rows } = await t.db.query<{ outcome: string }>(
      `SELECT outcome FROM inbound_messages WHERE from_phone = '+447700900999'`,
    );
    expect(rows).toEqual([{ outcome: 'unknown_sender' }]);
  });

  it('retries a 429 twice then sends once; a bad number fails with the provider code', async () => {
    const { t, twilio } = w;
    const home = await t.enrol({
      guardians: [{ name: 'Niece', phone: '+8613900000002', language: 'zh-CN' }],
    });
    twilio.throttleNext(2);
    const refusedBefore = twilio.refused.length;
    const caseId = await openCase(t, home);
    const [row] = await settledTexts(t, caseId);
    expect(row).toMatchObject({ status: 'sent', sms_attempts: 3 });
    expect(twilio.refused.slice(refusedBefore)).toEqual([
      { status: 429, code: 20429 },
      { status: 429, code: 20429 },
    ]);
    const sent = twilio.accepted.filter((m) => m.to === '+8613900000002');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatch(/^【安居·跌倒提醒】/);
    expect(sent[0]!.statusCallback).toContain(`?n=${row!.id}`);

    const bad = await t.enrol({ guardians: [{ name: 'Bad', phone: '+15550000000', language: 'en' }] });
    const badCase = await openCase(t, bad);
    const [failed] = await settledTexts(t, badCase);
    expect(failed).toMatchObject({ status: 'failed', sms_attempts: 1, sms_error_code: '21211' });
    expect(failed!.error).toMatch(/^twilio 21211: Invalid 'To' Phone Number/);
  });

  it('records an undelivered status with its error code, and rejects a malformed callback with 400', async () => {
    const { t, twilio } = w;
    const home = await t.enrol({ guardians: [{ name: 'Aunt', phone: '+8613700000003', language: 'zh-CN' }] });
    const caseId = await openCase(t, home);
    await settledTexts(t, caseId);
    const msg = twilio.accepted.find((m) => m.to === '+8613700000003')!;
    expect((await twilio.sendStatus(msg.sid, 'undelivered', { errorCode: '30003' })).status).toBe(204);
    const [row] = await waitFor(async () => {
      const r = await settledTexts(t, caseId);
      return r[0]?.sms_delivery_status === 'undelivered' ? r : undefined;
    });
    expect(row).toMatchObject({ sms_error_code: '30003' });

    const bad = await twilio.sendInbound(INBOUND, { from: '', to: TWILIO.from, body: '1' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ code: 'CLOUD_SMS_WEBHOOK_INVALID' });
  });
});
