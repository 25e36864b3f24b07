/**
 * Acceptance for issue 5: a short simulated day flows through the real cloud (MQTT ingest, cases, the
 * acknowledgement API) with telemetry on, into a real InfluxDB (Debian's influxd) and a real PostgreSQL
 * (DATABASE_URL; PGlite without it). Then every panel and variable query of the committed dashboard
 * JSON is executed and must return rows of the shape its panel needs.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AffectDetail, type ResidentDaily, topics } from '../../contracts/src/index.ts';
import { buildDashboards, dashboardText, type QueryShape } from '../../dashboards/src/index.ts';
import { hasInfluxd, startInfluxd, type TestInfluxd } from '../../tools/harness/influxd.ts';
import {
  alertEvent,
  backends,
  type Home,
  heartbeat,
  startTestCloud,
  type TestCloud,
  waitFor,
  waitForHeartbeatRows,
} from '../cloud/cloud-fixture.ts';
import { expandInfluxql, expandSql, type MacroContext } from './grafana-macros.ts';

const DB = 'anju_test';
const backend = backends.includes('postgres') ? 'postgres' : 'pglite';
const HOUR = 3_600_000;

if (!hasInfluxd && process.env.CI) throw new Error('influxd is missing: .ci/run installs Debian’s influxdb');

describe.skipIf(!hasInfluxd)(`dashboard queries against InfluxDB and ${backend}`, () => {
  let influx: TestInfluxd;
  let t: TestCloud;
  const homes: Home[] = [];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    let t0 = performance.now();
    influx = await startInfluxd();
    timings.influxdStartMs = performance.now() - t0;
    t0 = performance.now();
    t = await startTestCloud(backend, {
      config: { influx: { url: influx.url, database: DB, flushIntervalMs: 100, batchSize: 500 } },
    });
    timings.cloudStartMs = performance.now() - t0;
    t0 = performance.now();
    await simulateDay();
    timings.simulatedDayMs = performance.now() - t0;
  });
  afterAll(async () => {
    console.log('telemetry test timings', JSON.stringify(timings));
    await t?.close();
    await influx?.stop();
  });

  /** Four homes in Shanghai; a day of events, heartbeats, acknowledgements, and daily aggregates. */
  async function simulateDay(): Promise<void> {
    const now = Date.now();
    for (let i = 0; i < 4; i++) {
      const home = await t.enrol();
      homes.push(home);
      await t.db.query('UPDATE residents SET lat = $2, lon = $3 WHERE id = $1', [
        home.residentId,
        31.2 + i * 0.01,
        121.45 + i * 0.01,
      ]);
    }
    const kinds = ['fall', 'inactivity', 'night_exit', 'meter_safety'] as const;
    for (const [i, home] of homes.entries()) {
      const gw = await t.connectGateway(home.gatewayId, home.secret);
      for (let h = 0; h < 24; h += 6) {
        await gw.publishAsync(
          `gw/${home.gatewayId}/health`,
          JSON.stringify(
            heartbeat(home.gatewayId, {
              outboxDepth: (i * 3 + h) % 7,
              batteryPct: 90 - h,
              cpuPct: 5 + i,
              rssMb: 80 + h,
              agentVersion: `0.${(i % 2) + 3}.0`,
              models: [
                { name: 'fall-cnn', version: '1.2.0' },
                { name: 'inactivity', version: '0.1.0' },
              ],
            }),
          ),
          { qos: 1 },
        );
      }
      for (let k = 0; k <= i; k++) {
        const at = new Date(now - (20 - 4 * k) * HOUR).toISOString();
        const ev = alertEvent(home, { kind: kinds[k % kinds.length]!, occurredAt: at, detectedAt: at });
        await gw.publishAsync(`gw/${home.gatewayId}/events`, JSON.stringify(ev), { qos: 1 });
      }
      // Disk usage is not in the heartbeat contract yet: feed it through the writer API directly.
      t.cloud.telemetry.heartbeat({ ...heartbeat(home.gatewayId), diskUsedPct: 30 + i * 10 });
      // The week's summaries through the real path: gw/<id>/daily → ingest → InfluxDB.
      for (let day = 6; day >= 0; day--) {
        const dayStart = new Date(now - day * 24 * HOUR);
        const summary: ResidentDaily = {
          schema: 1,
          gatewayId: home.gatewayId,
          residentId: home.residentId,
          day: dayStart.toISOString().slice(0, 10),
          dayStart: dayStart.toISOString(),
          activeMinutes: 120 + day * 5 + i,
          steps: 2_500 + day * 100,
          heartRate: { min: 55 + i, max: 110 - day, mean: 72 },
          affect: 0.2 - day * 0.05,
          affectDetail: affectDetailOf(day),
          waterLitres: 90 + day,
          electricityKwh: 3.5 + i * 0.2,
        };
        await gw.publishAsync(topics.daily(home.gatewayId), JSON.stringify(summary), { qos: 1 });
      }
      if (i === 3) await gw.endAsync(); // one gateway goes offline
    }
    await waitFor(async () =>
      (await t.api('GET', '/metrics')).text.split('\n').includes('anju_daily_summaries_total 28'),
    );
    await t.cloud.responses.settle(); // each case's response follows its commit
    const cases = (await t.api('GET', '/cases?limit=100')).body.items as { id: string; residentId: string }[];
    expect(cases.length).toBe(10);
    // Half the cases are acknowledged through the API.
    for (const [n, c] of cases.entries()) {
      if (n % 2 === 0)
        expect((await t.api('POST', `/cases/${c.id}/ack`, { by: `worker ${n % 3}` })).status).toBe(200);
    }
    // What the cases issue will fill: levels, assignees, stations, deadlines, on-site times, ratings.
    await t.db.query(
      `UPDATE cases SET
         opened_at = opened_at - (random() * interval '60 days'),
         level = 1 + (abs(hashtext(id)) % 3),
         assignee = 'worker ' || (abs(hashtext(id)) % 3),
         station = CASE WHEN abs(hashtext(id)) % 2 = 0 THEN 'Jing''an' ELSE 'Xuhui' END,
         ack_deadline_at = now() - interval '5 minutes' + (abs(hashtext(id)) % 2) * interval '1 hour'`,
    );
    await t.db.query(
      `UPDATE cases SET acknowledged_at = opened_at + interval '3 minutes' + (abs(hashtext(id)) % 5) * interval '1 minute',
         on_site_at = opened_at + interval '25 minutes', satisfaction = 3 + abs(hashtext(id)) % 3
       WHERE status = 'acknowledged'`,
    );
    await waitForHeartbeatRows(
      t.db,
      homes.map((h) => h.gatewayId),
    );
    await t.cloud.telemetry.flush();
  }

  it('writes what ingest, cases and the aggregate API produced, dropping nothing', async () => {
    const stats = t.cloud.telemetry.stats()!;
    expect(stats.dropped).toEqual({ overflow: 0, rejected: 0, shutdown: 0 });
    expect(stats.buffered).toBe(0);
    // 10 events, 10 cases opened, 5 acknowledged; 16 heartbeats × (1 health + 2 models);
    // 4 disk heartbeats × (1 + 1 model); 4 residents × 7 days.
    expect(stats.written).toBe(10 + 10 + 5 + 16 * 3 + 4 * 2 + 28);
    const [events] = await influx.query(DB, 'SELECT sum("count") FROM "events"');
    expect(events?.values[0]?.[1]).toBe(10);
    const acks = await influx.query(
      DB,
      `SELECT count("ack_s") FROM "case_changes" WHERE "state" = 'acknowledged'`,
    );
    expect(acks[0]?.values[0]?.[1]).toBe(5);
    timings.lastFlushMs = stats.lastFlushMs ?? -1;
  });

  it('runs every panel and variable query of the committed JSON and gets rows of the needed shape', async () => {
    const ctx: MacroContext = {
      from: new Date(Date.now() - 90 * 24 * HOUR),
      to: new Date(Date.now() + HOUR),
      interval: '1h',
      variables: { resident: homes[3]!.residentId },
    };
    let executed = 0;
    const t0 = performance.now();
    for (const built of buildDashboards()) {
      const json = JSON.parse(
        readFileSync(new URL(`../../dashboards/generated/${built.file}`, import.meta.url), 'utf8'),
      );
      expect(dashboardText(built)).toBe(`${JSON.stringify(json, null, 2)}\n`);
      const targets: { panel: string; refId: string; text: string; source: string }[] = [];
      for (const p of json.panels as any[]) {
        for (const tg of p.targets ?? []) {
          const source = tg.datasource.uid === 'anju-influx' ? 'influx' : 'postgres';
          targets.push({
            panel: p.title,
            refId: tg.refId,
            text: source === 'influx' ? tg.query : tg.rawSql,
            source,
          });
        }
      }
      for (const v of json.templating?.list ?? []) {
        // A text box (the console's address) holds a value, not a query.
        if (v.type === 'textbox') continue;
        targets.push({ panel: `$${v.name}`, refId: 'A', text: v.query, source: 'postgres' });
      }
      expect(targets.length).toBe(built.queries.length);
      for (const tg of targets) {
        const rec = built.queries.find((q) => q.panel === tg.panel && q.refId === tg.refId);
        expect(rec, `${built.file}: ${tg.panel}/${tg.refId} has a recorded shape`).toBeDefined();
        expect(tg.text).toBe(rec!.text);
        const rows =
          tg.source === 'influx'
            ? influxRows(await influx.query(DB, expandInfluxql(tg.text, ctx)))
            : (await t.db.query(expandSql(tg.text, ctx))).rows;
        checkShape(`${built.file} › ${tg.panel}`, rows, rec!.shape);
        executed++;
      }
    }
    timings.queriesMs = performance.now() - t0;
    timings.queries = executed;
    expect(executed).toBeGreaterThanOrEqual(25);
  });

  it("draws the affect panels from the days the gateway sent: valence, negative share and each expression's share", async () => {
    const ctx: MacroContext = {
      from: new Date(Date.now() - 30 * 24 * HOUR),
      to: new Date(Date.now() + HOUR),
      interval: '1h',
      variables: { resident: homes[3]!.residentId },
    };
    const built = buildDashboards().find((b) => b.file === 'resident.json')!;
    const query = (panel: string) => built.queries.find((q) => q.panel === panel)!.text;
    const trend = influxRows(await influx.query(DB, expandInfluxql(query('Affect trend'), ctx)));
    expect(trend.map((r) => r.valence)).toEqual(
      [6, 5, 4, 3, 2, 1, 0].map((day) => expect.closeTo(0.2 - day * 0.05, 6)),
    );
    expect(trend.map((r) => r.negative_share)).toEqual(
      [6, 5, 4, 3, 2, 1, 0].map((day) => expect.closeTo(affectDetailOf(day).negativeShare, 6)),
    );
    const byExpression = influxRows(
      await influx.query(DB, expandInfluxql(query('Affect by expression'), ctx)),
    );
    expect(byExpression).toHaveLength(7);
    for (const [k, row] of byExpression.entries()) {
      const sent = affectDetailOf(6 - k).shares;
      for (const [expression, share] of Object.entries(sent)) expect(row[expression]).toBeCloseTo(share, 6);
    }
  });

  it('measures the writer: points per second into InfluxDB', async () => {
    const n = 20_000;
    const base = Date.now() - 2 * HOUR;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      t.cloud.telemetry.heartbeat({ ...heartbeat(`gw-bench-${i % 50}`), models: [] }, new Date(base + i));
    }
    await t.cloud.telemetry.flush();
    const s = (performance.now() - t0) / 1000;
    timings.benchPoints = n;
    timings.benchPointsPerS = Math.round(n / s);
    timings.benchLastBatchMs = t.cloud.telemetry.stats()!.lastFlushMs ?? -1;
    const [c] = await influx.query(
      DB,
      `SELECT count("cpu_pct") FROM "gateway_heartbeat" WHERE "gateway_id" =~ /^gw-bench-/`,
    );
    expect(c?.values[0]?.[1]).toBe(n);
  });
});

/** A day's affect detail that drifts towards sad over the week (`day` days ago). */
function affectDetailOf(day: number): AffectDetail {
  const sad = 0.3 - day * 0.03;
  const happy = 0.1 + day * 0.03;
  return {
    frames: 1_200 + day,
    faces: 300 + day,
    negativeShare: 0.1 + sad,
    shares: { angry: 0.06, disgust: 0.01, fear: 0.04, happy, neutral: 0.4, sad, surprise: 0.09 },
  };
}

/** Series → flat rows (tags merged in), the way Grafana turns them into frames. */
function influxRows(series: { tags?: Record<string, string>; columns: string[]; values: unknown[][] }[]) {
  return series.flatMap((s) =>
    s.values.map((v) => ({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) })),
  );
}

function kindOf(v: unknown): string {
  if (v instanceof Date) return 'time';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  return typeof v;
}

function checkShape(where: string, rows: Record<string, unknown>[], shape: QueryShape): void {
  expect(rows.length, `${where}: returns rows`).toBeGreaterThan(0);
  for (const [col, kind] of Object.entries(shape.columns)) {
    for (const r of rows) expect(Object.hasOwn(r, col), `${where}: every row has column ${col}`).toBe(true);
    const values = rows.map((r) => r[col]).filter((v) => v !== null && v !== undefined);
    expect(values.length, `${where}: column ${col} has a value`).toBeGreaterThan(0);
    for (const v of values) {
      // InfluxDB returns time as epoch ms (epoch=ms), PostgreSQL as Date.
      const k = kind === 'time' && typeof v === 'number' ? 'time' : kindOf(v);
      expect(k, `${where}: column ${col} = ${JSON.stringify(v)}`).toBe(kind);
    }
  }
}
