import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlinesFor } from '../../cloud/src/cases/case-deadlines.ts';
import { defaultConfig } from '../../cloud/src/config/index.ts';
import { topics } from '../../contracts/src/index.ts';
import { alertEvent, backends, startTestCloud, type TestCloud, waitFor } from './cloud-fixture.ts';

describe.each(backends)('a missed medication from the gateway (%s)', (backend) => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud(backend);
  });
  afterAll(() => t?.close());

  it('opens a medication_missed case and texts the guardians in their language', async () => {
    const home = await t.enrol({
      guardians: [
        { name: 'Daughter', phone: '+8613800000001', language: 'zh-CN' },
        { name: 'Son', phone: '+447700900123', language: 'en' },
      ],
    });
    const c = await t.connectGateway(home.gatewayId, home.secret);
    const ev = alertEvent(home, {
      kind: 'medication_missed',
      severity: 'warning',
      score: undefined,
      evidence: { scheduledAt: '08:00', confirmWindowMin: 30, band: 'band1', source: 'node-red' },
    });
    delete ev.score;
    await c.publishAsync(topics.events(home.gatewayId), JSON.stringify(ev), { qos: 1 });
    const [opened] = (await t.api('GET', `/cases?residentId=${home.residentId}`)).body.items;
    expect(opened).toMatchObject({ kind: 'medication_missed', severity: 'warning' });
    const texts = await waitFor(async () => {
      const d = (await t.api('GET', `/cases/${opened.id}`)).body;
      return (
        d.notifications.length === 2 &&
        d.notifications.every((n: any) => n.status === 'sent') &&
        d.notifications
      );
    });
    const byPhone = Object.fromEntries(texts.map((n: any) => [n.recipientPhone, n.body]));
    expect(byPhone['+8613800000001']).toMatch(/没有确认按时服药/);
    expect(byPhone['+447700900123']).toMatch(/did not confirm taking their medicine/);
  });

  it('escalates on its own long default deadlines, not the default ones', () => {
    expect(deadlinesFor(defaultConfig.escalation.deadlines, 'medication_missed', 'warning')).toEqual({
      ackS: 1800,
      level2S: 3600,
      level3S: 14400,
    });
  });
});
