/**
 * `npm run bench:cases` — ingest throughput and event → first SMS request latency (issue 4).
 * The cloud runs IN-PROCESS on embedded PGlite (in memory) with real MQTT over loopback; a recording
 * notifier stamps when the first text of each case is requested. Each rate runs DURATION_S seconds with
 * one gateway per home publishing fall events; every case is dispatched to a worker (station with
 * workers on duty around the clock) and then closed as a false alarm through the API so the home can
 * fall again. Bounded: stops by itself after the last rate.
 */
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { startCloud } from '../cloud/src/app.ts';
import { loadConfig } from '../cloud/src/config/index.ts';
import { IN_MEMORY } from '../cloud/src/db/index.ts';
import type { NotifierFactory } from '../cloud/src/notify/index.ts';
import { newEventId } from '../contracts/src/index.ts';

const RATES = (process.env.BENCH_RATES ?? '1,10,100').split(',').map(Number);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const HOMES = 120;

const firstSms = new Map<string, number>(); // caseId → ms of the first send request
const recording: NotifierFactory = () => ({
  channel: 'bench',
  async send(msg) {
    if (!firstSms.has(msg.caseId)) firstSms.set(msg.caseId, performance.now());
    return {};
  },
});

const cloud = await startCloud(
  loadConfig({
    env: {},
    overrides: {
      http: { host: '127.0.0.1', port: 0 },
      mqtt: { host: '127.0.0.1', port: 0 },
      database: { dataDir: IN_MEMORY },
      notify: { guardianChannel: 'bench' },
      logLevel: 'silent',
    },
  }),
  { notifiers: { bench: recording }, logger: pino({ level: 'silent' }) },
);
const api = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(cloud.httpUrl + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, body: (await r.json()) as any };
};

await api('POST', '/stations', { id: 'bench', name: 'Bench station' });
for (let i = 0; i < 10; i++) {
  await api('POST', '/workers', {
    id: `w${i}`,
    stationId: 'bench',
    name: `W${i}`,
    phone: `+861390000${1000 + i}`,
    skills: ['first_aid'],
    home: { lat: 31.2 + i * 0.01, lon: 121.4 },
    shifts: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00' }],
  });
}
const homes: { residentId: string; gatewayId: string; client: mqtt.MqttClient }[] = [];
for (let i = 0; i < HOMES; i++) {
  const r = await api('POST', '/residents', {
    name: `R${i}`,
    address: `${i} Road`,
    stationId: 'bench',
    lat: 31.2,
    lon: 121.4,
  });
  const gw = await api('POST', '/gateways', {
    id: `gw-bench-${i}-${randomBytes(2).toString('hex')}`,
    residentId: r.body.id,
  });
  const client = await mqtt.connectAsync(cloud.mqttUrl, {
    username: gw.body.gatewayId,
    password: gw.body.secret,
    reconnectPeriod: 0,
  });
  homes.push({ residentId: r.body.id, gatewayId: gw.body.gatewayId, client });
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const lines: string[] = [];
let next = 0;
for (const rate of RATES) {
  const sent: { caseId?: string; at: number; residentId: string }[] = [];
  const busy = new Set<string>();
  const pending: Promise<void>[] = [];
  const total = Math.max(1, Math.round(rate * DURATION_S));
  const t0 = performance.now();
  for (let k = 0; k < total; k++) {
    const due = t0 + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // The next home without an open case (each event opens one, so each event should cause a text).
    let h = homes[next++ % HOMES]!;
    for (let tries = 0; busy.has(h.residentId) && tries < HOMES; tries++) h = homes[next++ % HOMES]!;
    busy.add(h.residentId);
    const now = new Date().toISOString();
    const ev = {
      schema: 1,
      id: newEventId(),
      gatewayId: h.gatewayId,
      residentId: h.residentId,
      kind: 'fall',
      severity: 'urgent',
      occurredAt: now,
      detectedAt: now,
      score: { value: 0.93, threshold: 0.8, model: { name: 'fall-cnn', version: '1.0.0' } },
      evidence: { peakG: 3.1 },
    };
    const rec: (typeof sent)[number] = { at: performance.now(), residentId: h.residentId };
    sent.push(rec);
    pending.push(
      (async () => {
        await h.client.publishAsync(`gw/${h.gatewayId}/events`, JSON.stringify(ev), { qos: 1 });
        // Find the case, wait for its first text, then close it so the home can fall again.
        const cases = await api('GET', `/cases?residentId=${h.residentId}&limit=1`);
        const c = cases.body.items[0];
        rec.caseId = c?.id;
        const until = performance.now() + 5_000;
        while (c && !firstSms.has(c.id) && performance.now() < until)
          await new Promise((r) => setTimeout(r, 5));
        if (c)
          await api('POST', `/cases/${c.id}/transitions`, {
            to: 'false_alarm',
            actor: { type: 'duty_desk', id: 'bench' },
          });
        busy.delete(h.residentId);
      })(),
    );
  }
  await Promise.all(pending);
  const elapsedS = (performance.now() - t0) / 1000;
  const lat = sent.flatMap((s) =>
    s.caseId && firstSms.has(s.caseId) ? [firstSms.get(s.caseId)! - s.at] : [],
  );
  const lost = sent.length - lat.length;
  const line = `cases-bench rate=${rate} events_per_s=${(sent.length / elapsedS).toFixed(1)} p50_ms=${pct(lat, 50).toFixed(1)} p99_ms=${pct(lat, 99).toFixed(1)} lost=${lost}`;
  console.log(`rate ${rate}/s: ${sent.length} events in ${elapsedS.toFixed(1)} s, ${lat.length} first texts`);
  lines.push(line);
}

await Promise.allSettled(homes.map((h) => h.client.endAsync(true)));
await cloud.close();
console.log(
  'cloud: in-process, embedded PGlite (memory), real MQTT on loopback; latency = publish → first SMS request',
);
for (const l of lines) console.log(l);
process.exit(0);
