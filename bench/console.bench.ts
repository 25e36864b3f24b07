/**
 * `npm run bench:console` — the duty desk with 1,000 open cases, in Debian's headless Chromium against a
 * real cloud (HTTP + MQTT + PGlite, in this process), cases opened the real way (alerts over MQTT):
 * - first_load_ms: from navigation to all 1,000 rows on screen, logged in, median of FIRST_LOADS (7)
 *   loads (the first one, cold, is reported apart);
 * - live_update_ms: LIVE_CASES (100) new cases, one every 200 ms, while the desk is open; each from the
 *   PUBACK of its alert (the cloud acks after the commit) to the moment the row first rendered
 *   (the row's data-seen-at, the page's Date.now(); one machine, one clock). p50 and p99.
 * Prints `console-bench open_cases=1000 first_load_ms=… live_update_p99_ms=…`.
 */
import { topics } from '../contracts/src/index.ts';
import { alertEvent, startTestCloud, waitFor } from '../tests/cloud/cloud-fixture.ts';
import { ensureConsoleBuilt, launchBrowser } from '../tests/console/browser.ts';
import { parseToolArgs } from '../tools/cli-args.ts';

// No options (sized by its constants or environment variables above): --help prints this file's opening comment.
parseToolArgs(import.meta.url, { options: {} });

const OPEN_CASES = Number(process.env.BENCH_OPEN_CASES ?? 1000);
const LIVE_CASES = Number(process.env.BENCH_LIVE_CASES ?? 100);
const FIRST_LOADS = Number(process.env.BENCH_FIRST_LOADS ?? 7);
const KINDS = [
  'fall',
  'sos',
  'inactivity',
  'vitals',
  'emotion',
  'meter_safety',
  'night_exit',
  'medication_missed',
] as const;
const TOKEN = 'bench-console-token-0123456789';
const PASSWORD = 'bench-console-password';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};

async function main() {
  ensureConsoleBuilt();
  const t = await startTestCloud('pglite', {
    apiToken: TOKEN,
    config: { logLevel: 'warn', limits: { apiRequestsPerMinute: 100_000 } },
  });
  const ok = async (method: string, path: string, body: unknown) => {
    const r = await t.api(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.body;
  };
  await ok('POST', '/stations', { id: 'bench', name: '基准站' });
  await ok('POST', '/workers', {
    id: 'w-bench',
    stationId: 'bench',
    name: '基准社工',
    phone: '+8613900000001',
    home: { lat: 31.22, lon: 121.45 },
    shifts: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' }],
  });
  await ok('POST', '/console-api/users', {
    username: 'desk-bench',
    displayName: '值班',
    role: 'desk',
    stationId: 'bench',
    password: PASSWORD,
  });

  // One (resident, kind) slot per case: one open case per resident and kind.
  const slotsNeeded = OPEN_CASES + LIVE_CASES;
  const homes: { residentId: string; gatewayId: string; secret: string }[] = [];
  for (let i = 0; homes.length * KINDS.length < slotsNeeded; i++) {
    const r = await ok('POST', '/residents', { name: `长者${i}`, stationId: 'bench', lat: 31.2, lon: 121.4 });
    const gatewayId = `gw-bench-${i}`;
    const gw = await ok('POST', '/gateways', { id: gatewayId, residentId: r.id });
    homes.push({ residentId: r.id, gatewayId, secret: gw.secret });
  }
  const clients = await Promise.all(homes.map((h) => t.connectGateway(h.gatewayId, h.secret)));
  const slot = (n: number) => ({
    home: homes[Math.floor(n / KINDS.length)]!,
    client: clients[Math.floor(n / KINDS.length)]!,
    kind: KINDS[n % KINDS.length]!,
  });
  const publish = async (n: number) => {
    const { home, client, kind } = slot(n);
    const ev = alertEvent(home, { kind, severity: 'urgent' });
    await client.publishAsync(topics.events(home.gatewayId), JSON.stringify(ev), { qos: 1 });
    return { ev, ackedAt: Date.now() };
  };

  const t0 = Date.now();
  for (let n = 0; n < OPEN_CASES; n += 50) {
    await Promise.all(Array.from({ length: Math.min(50, OPEN_CASES - n) }, (_, k) => publish(n + k)));
  }
  await waitFor(
    async () =>
      Number(
        (
          await t.db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM cases WHERE status NOT IN ('resolved','closed','cancelled','false_alarm')",
          )
        ).rows[0]!.n,
      ) >= OPEN_CASES,
    120_000,
    'open cases',
  );
  console.error(`opened ${OPEN_CASES} cases in ${Date.now() - t0} ms`);

  const browser = await launchBrowser();
  const page = await (await browser.context({ width: 1440, height: 900 })).newPage();
  await page.goto(`${t.cloud.httpUrl}/console/`);
  await page.fill('input[name=username]', 'desk-bench');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  // A function, not a string: the console's CSP (no unsafe-eval) refuses evaluated strings.
  const rowsOnScreen = (n: number) =>
    (
      globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
    ).document.querySelectorAll('tr[data-case-id]').length >= n;
  await page.waitForFunction(rowsOnScreen, OPEN_CASES, { timeout: 60_000 });

  const loads: number[] = [];
  for (let i = 0; i < FIRST_LOADS + 1; i++) {
    const start = Date.now();
    await page.goto(`${t.cloud.httpUrl}/console/`);
    await page.waitForFunction(rowsOnScreen, OPEN_CASES, { timeout: 60_000, polling: 'raf' });
    loads.push(Date.now() - start);
  }
  const [cold, ...warm] = loads;
  // The stream is open (the page says live) before the new cases start.
  await page.waitForSelector('.live.on');

  const live: number[] = [];
  const acked = new Map<string, number>();
  for (let k = 0; k < LIVE_CASES; k++) {
    const { ev, ackedAt } = await publish(OPEN_CASES + k);
    acked.set(ev.id, ackedAt);
    await new Promise((r) => setTimeout(r, 200));
  }
  const { rows } = await t.db.query<{ id: string; case_id: string }>(
    'SELECT id, case_id FROM events WHERE id = ANY($1::text[])',
    [[...acked.keys()]],
  );
  let missing = 0;
  for (const r of rows) {
    const sel = `tr[data-case-id="${r.case_id}"]`;
    try {
      await page.waitForSelector(sel, { timeout: 10_000, state: 'attached' });
    } catch {
      missing++; // reported, never hidden: a case that did not reach the screen within 10 s
      continue;
    }
    const seen = Number(await page.getAttribute(sel, 'data-seen-at'));
    live.push(seen - acked.get(r.id)!);
  }
  if (missing > 0) {
    console.error(
      t.logs
        .filter((l) => /case feed|stream|"level":(40|50)/.test(l))
        .slice(-20)
        .join('\n'),
    );
  }
  await browser.close();
  await t.close();
  console.log(
    `console-bench open_cases=${OPEN_CASES} first_load_ms=${pct(warm, 50)} first_load_cold_ms=${cold} ` +
      `live_update_p50_ms=${pct(live, 50)} live_update_p99_ms=${pct(live, 99)} live_cases=${live.length} live_missing=${missing} ` +
      `first_loads=${warm.join(',')}`,
  );
}

const watchdog = setTimeout(() => {
  console.error('console-bench: watchdog (600 s)');
  process.exit(1);
}, 600_000);
watchdog.unref();
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
