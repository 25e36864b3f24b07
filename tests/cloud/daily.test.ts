import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ResidentDaily, topics } from '../../contracts/src/index.ts';
import { backends, startTestCloud, type TestCloud, waitFor } from './cloud-fixture.ts';

describe.each(backends)("residents' daily summaries over MQTT (%s)", (backend) => {
  let t: TestCloud;
  beforeAll(async () => {
    t = await startTestCloud(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  const metric = async (name: string) => {
    const text = (await t.api('GET', '/metrics')).text;
    return text.split('\n').filter((l) => l.startsWith(name));
  };

  it("accepts a gateway's summary of its own resident's day and rejects one about somebody else", async () => {
    const home = await t.enrol();
    const other = await t.enrol();
    const c = await t.connectGateway(home.gatewayId, home.secret);
    const day: ResidentDaily = {
      schema: 1,
      gatewayId: home.gatewayId,
      residentId: home.residentId,
      day: '2026-11-22',
      dayStart: '2026-11-21T16:00:00.000Z',
      activeMinutes: 412,
      heartRate: { min: 58, max: 104, mean: 71 },
      waterLitres: 96.5,
      electricityKwh: 3.2,
    };
    await c.publishAsync(topics.daily(home.gatewayId), JSON.stringify(day), { qos: 1 });
    await c.publishAsync(
      topics.daily(home.gatewayId),
      JSON.stringify({ ...day, residentId: other.residentId }),
      { qos: 1 },
    );
    await c.publishAsync(topics.daily(home.gatewayId), JSON.stringify({ ...day, activeMinutes: 2000 }), {
      qos: 1,
    });
    await waitFor(async () => (await metric('anju_daily_summaries_total')).some((l) => l.endsWith(' 1')));
    expect(await metric('anju_ingest_rejected_total{reason="resident_mismatch"}')).toEqual([
      'anju_ingest_rejected_total{reason="resident_mismatch"} 1',
    ]);
    expect((await metric('anju_ingest_rejected_total{reason="schema"}'))[0]).toMatch(/ [1-9]\d*$/);
    await c.endAsync();
  });
});
